"""Partial indexes for the columns most requests leave empty; the indexes other ones cover.

* The building, creator, merge target and next check of a request; the rule and dispatcher
  of a work order; the actor and unit of a history row; who rated: indexed only where they
  are set (``WHERE … IS NOT NULL``). Closed and imported requests, most of a large
  database, have none, so storing them now writes 11 index entries fewer per imported
  request, and the indexes are a fraction of their size. Lookups by value still use them.
* A work order's unit and a rating's request lose their own index: the (unit, is_active)
  index and the (request, round) constraint lead with them.

On PostgreSQL: nine ``CREATE INDEX`` (each a scan of its table while writes to it wait;
reads go on; the indexes built are small), then eleven ``DROP INDEX``, no foreign key
re-checked (``core.migration_ops.IndexesBySql``). Undoing it rebuilds the full indexes and re-checks
nine foreign keys: on a large database, in a maintenance window.
"""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

from civicgrid.core.migration_ops import IndexesBySql

STATE_OPERATIONS = [
    migrations.AlterField(
        model_name="rating",
        name="rated_by",
        field=models.ForeignKey(
            blank=True,
            db_index=False,
            null=True,
            on_delete=django.db.models.deletion.PROTECT,
            related_name="+",
            to=settings.AUTH_USER_MODEL,
        ),
    ),
    migrations.AlterField(
        model_name="rating",
        name="request",
        field=models.ForeignKey(
            db_index=False,
            on_delete=django.db.models.deletion.CASCADE,
            related_name="ratings",
            to="requests.request",
        ),
    ),
    migrations.AlterField(
        model_name="request",
        name="building",
        field=models.ForeignKey(
            blank=True,
            db_index=False,
            null=True,
            on_delete=django.db.models.deletion.PROTECT,
            related_name="+",
            to="territory.node",
            verbose_name="楼栋",
        ),
    ),
    migrations.AlterField(
        model_name="request",
        name="created_by",
        field=models.ForeignKey(
            blank=True,
            db_index=False,
            null=True,
            on_delete=django.db.models.deletion.PROTECT,
            related_name="+",
            to=settings.AUTH_USER_MODEL,
        ),
    ),
    migrations.AlterField(
        model_name="request",
        name="merged_into",
        field=models.ForeignKey(
            blank=True,
            db_index=False,
            null=True,
            on_delete=django.db.models.deletion.PROTECT,
            related_name="duplicates",
            to="requests.request",
            verbose_name="合并至",
        ),
    ),
    migrations.AlterField(
        model_name="request",
        name="next_check_at",
        field=models.DateTimeField(blank=True, editable=False, null=True),
    ),
    migrations.AlterField(
        model_name="requestevent",
        name="actor",
        field=models.ForeignKey(
            blank=True,
            db_index=False,
            null=True,
            on_delete=django.db.models.deletion.PROTECT,
            related_name="+",
            to=settings.AUTH_USER_MODEL,
        ),
    ),
    migrations.AlterField(
        model_name="requestevent",
        name="unit",
        field=models.ForeignKey(
            blank=True,
            db_index=False,
            null=True,
            on_delete=django.db.models.deletion.PROTECT,
            related_name="+",
            to="requests.handlingunit",
        ),
    ),
    migrations.AlterField(
        model_name="workorder",
        name="dispatched_by",
        field=models.ForeignKey(
            blank=True,
            db_index=False,
            null=True,
            on_delete=django.db.models.deletion.PROTECT,
            related_name="+",
            to=settings.AUTH_USER_MODEL,
        ),
    ),
    migrations.AlterField(
        model_name="workorder",
        name="rule",
        field=models.ForeignKey(
            blank=True,
            db_index=False,
            null=True,
            on_delete=django.db.models.deletion.SET_NULL,
            related_name="+",
            to="requests.dispatchrule",
        ),
    ),
    migrations.AlterField(
        model_name="workorder",
        name="unit",
        field=models.ForeignKey(
            db_index=False,
            on_delete=django.db.models.deletion.PROTECT,
            related_name="work_orders",
            to="requests.handlingunit",
        ),
    ),
    migrations.AddIndex(
        model_name="rating",
        index=models.Index(
            condition=models.Q(("rated_by__isnull", False)), fields=["rated_by"], name="requests_ra_rated_by"
        ),
    ),
    migrations.AddIndex(
        model_name="request",
        index=models.Index(
            condition=models.Q(("building__isnull", False)), fields=["building"], name="requests_req_building"
        ),
    ),
    migrations.AddIndex(
        model_name="request",
        index=models.Index(
            condition=models.Q(("created_by__isnull", False)),
            fields=["created_by"],
            name="requests_req_created_by",
        ),
    ),
    migrations.AddIndex(
        model_name="request",
        index=models.Index(
            condition=models.Q(("merged_into__isnull", False)),
            fields=["merged_into"],
            name="requests_req_merged_into",
        ),
    ),
    migrations.AddIndex(
        model_name="request",
        index=models.Index(
            condition=models.Q(("next_check_at__isnull", False)),
            fields=["next_check_at"],
            name="requests_req_next_check_at",
        ),
    ),
    migrations.AddIndex(
        model_name="requestevent",
        index=models.Index(
            condition=models.Q(("actor__isnull", False)), fields=["actor"], name="requests_ev_actor"
        ),
    ),
    migrations.AddIndex(
        model_name="requestevent",
        index=models.Index(
            condition=models.Q(("unit__isnull", False)), fields=["unit"], name="requests_ev_unit"
        ),
    ),
    migrations.AddIndex(
        model_name="workorder",
        index=models.Index(
            condition=models.Q(("rule__isnull", False)), fields=["rule"], name="requests_wo_rule"
        ),
    ),
    migrations.AddIndex(
        model_name="workorder",
        index=models.Index(
            condition=models.Q(("dispatched_by__isnull", False)),
            fields=["dispatched_by"],
            name="requests_wo_dispatched_by",
        ),
    ),
]

POSTGRESQL = [
    # Built first: CREATE INDEX lets reads go on (writes wait); a DROP INDEX locks its table
    # against reads too until the commit, which comes right after the drops.
    'CREATE INDEX "requests_ra_rated_by" ON "requests_rating" ("rated_by_id") WHERE "rated_by_id" IS NOT NULL',
    'CREATE INDEX "requests_req_building" ON "requests_request" ("building_id") WHERE "building_id" IS NOT NULL',
    'CREATE INDEX "requests_req_created_by" ON "requests_request" ("created_by_id") '
    'WHERE "created_by_id" IS NOT NULL',
    'CREATE INDEX "requests_req_merged_into" ON "requests_request" ("merged_into_id") '
    'WHERE "merged_into_id" IS NOT NULL',
    'CREATE INDEX "requests_req_next_check_at" ON "requests_request" ("next_check_at") '
    'WHERE "next_check_at" IS NOT NULL',
    'CREATE INDEX "requests_ev_actor" ON "requests_requestevent" ("actor_id") WHERE "actor_id" IS NOT NULL',
    'CREATE INDEX "requests_ev_unit" ON "requests_requestevent" ("unit_id") WHERE "unit_id" IS NOT NULL',
    'CREATE INDEX "requests_wo_rule" ON "requests_workorder" ("rule_id") WHERE "rule_id" IS NOT NULL',
    'CREATE INDEX "requests_wo_dispatched_by" ON "requests_workorder" ("dispatched_by_id") '
    'WHERE "dispatched_by_id" IS NOT NULL',
    "DROP INDEX IF EXISTS requests_rating_rated_by_id_171c3aa1",
    "DROP INDEX IF EXISTS requests_rating_request_id_9b297b7d",
    "DROP INDEX IF EXISTS requests_request_building_id_25841a8c",
    "DROP INDEX IF EXISTS requests_request_created_by_id_9822e5dc",
    "DROP INDEX IF EXISTS requests_request_merged_into_id_3cec70f1",
    "DROP INDEX IF EXISTS requests_request_next_check_at_053a2d74",
    "DROP INDEX IF EXISTS requests_requestevent_actor_id_5b7a0a47",
    "DROP INDEX IF EXISTS requests_requestevent_unit_id_1d33ce29",
    "DROP INDEX IF EXISTS requests_workorder_dispatched_by_id_9a4ab4c5",
    "DROP INDEX IF EXISTS requests_workorder_rule_id_78f4628b",
    "DROP INDEX IF EXISTS requests_workorder_unit_id_580b56ee",
]


class Migration(migrations.Migration):
    dependencies = [
        ("requests", "0006_lean_indexes"),
        ("territory", "0002_geometry_version_row"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        IndexesBySql(
            operations=STATE_OPERATIONS,
            postgresql=POSTGRESQL,
            description="Partial indexes for columns most requests leave empty",
        )
    ]
