"""Drop the indexes of requests and ratings that duplicate another index or serve no query.

On PostgreSQL the database side is a handful of ``DROP INDEX`` and ``ALTER INDEX … RENAME``
statements (the indexes kept already exist under Django's generated names): no index is
rebuilt and no foreign key re-checked, so a large table is locked only for a moment.
Elsewhere (SQLite) Django's own operations run (``core.migration_ops.IndexesBySql``). Undoing
it is heavy on PostgreSQL: 17 indexes are built (not concurrently) and the lead unit's
foreign key is checked again, with the two tables locked meanwhile.
"""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

from civicgrid.core.migration_ops import IndexesBySql

STATE_OPERATIONS = [
    migrations.AlterField(
        model_name="rating",
        name="month",
        field=models.DateField(verbose_name="考核月份"),
    ),
    migrations.AlterField(
        model_name="rating",
        name="node_path",
        field=models.CharField(max_length=255),
    ),
    migrations.AlterField(
        model_name="rating",
        name="unit_path",
        field=models.CharField(blank=True, default="", max_length=255),
    ),
    migrations.AlterField(
        model_name="request",
        name="external_id",
        field=models.CharField(blank=True, default="", max_length=64, verbose_name="外部编号"),
    ),
    migrations.AlterField(
        model_name="request",
        name="lead_unit",
        field=models.ForeignKey(
            blank=True,
            db_index=False,
            null=True,
            on_delete=django.db.models.deletion.PROTECT,
            related_name="lead_requests",
            to="requests.handlingunit",
            verbose_name="主办单位",
        ),
    ),
    migrations.AlterField(
        model_name="request",
        name="light",
        field=models.CharField(
            choices=[("green", "绿灯（正常）"), ("yellow", "黄灯（临期）"), ("red", "红灯（超期）")],
            default="green",
            max_length=10,
            verbose_name="预警灯",
        ),
    ),
    migrations.AlterField(
        model_name="request",
        name="node_path",
        field=models.CharField(editable=False, max_length=255),
    ),
    migrations.AlterField(
        model_name="request",
        name="rating_token",
        field=models.CharField(blank=True, default="", editable=False, max_length=40),
    ),
    migrations.AlterField(
        model_name="request",
        name="requester_phone_hash",
        field=models.CharField(blank=True, default="", editable=False, max_length=64),
    ),
    migrations.AlterField(
        model_name="request",
        name="status",
        field=models.CharField(
            choices=[
                ("received", "已受理"),
                ("dispatched", "已派单"),
                ("signed", "已签收"),
                ("in_progress", "办理中"),
                ("replied", "已答复"),
                ("verified", "已核查"),
                ("called_back", "已回访"),
                ("closed", "已办结"),
                ("return_pending", "退单待审"),
                ("suspended", "已挂起"),
                ("long_running", "挂账办理"),
                ("merged", "已合并"),
            ],
            default="received",
            max_length=20,
            verbose_name="状态",
        ),
    ),
    migrations.AddIndex(
        model_name="rating",
        index=models.Index(
            fields=["node_path"], name="requests_rating_path_like", opclasses=["varchar_pattern_ops"]
        ),
    ),
    migrations.AddIndex(
        model_name="request",
        index=models.Index(fields=["light"], name="requests_req_light"),
    ),
    migrations.AddIndex(
        model_name="request",
        index=models.Index(fields=["requester_phone_hash"], name="requests_req_phone_hash"),
    ),
    migrations.AddIndex(
        model_name="request",
        index=models.Index(fields=["rating_token"], name="requests_req_rating_token"),
    ),
    migrations.AddIndex(
        model_name="request",
        index=models.Index(fields=["external_id"], name="requests_req_external_id"),
    ),
]

POSTGRESQL = [
    # plain and _like twins beside requests_req_path_like (pattern ops serve = as well)
    "DROP INDEX IF EXISTS requests_request_node_path_9256fb00",
    "DROP INDEX IF EXISTS requests_request_node_path_9256fb00_like",
    # leading columns of (status, due_resolution_at) and (lead_unit_id, status)
    "DROP INDEX IF EXISTS requests_request_status_25102215",
    "DROP INDEX IF EXISTS requests_request_status_25102215_like",
    "DROP INDEX IF EXISTS requests_request_lead_unit_id_1ddf827c",
    # matched exactly, never with LIKE
    "DROP INDEX IF EXISTS requests_request_light_2c3896a3_like",
    "DROP INDEX IF EXISTS requests_request_rating_token_c113a8e4_like",
    "DROP INDEX IF EXISTS requests_request_requester_phone_hash_dfe380ec_like",
    "DROP INDEX IF EXISTS requests_request_external_id_f0df6a4d_like",
    "ALTER INDEX IF EXISTS requests_request_light_2c3896a3 RENAME TO requests_req_light",
    "ALTER INDEX IF EXISTS requests_request_requester_phone_hash_dfe380ec RENAME TO requests_req_phone_hash",
    "ALTER INDEX IF EXISTS requests_request_rating_token_c113a8e4 RENAME TO requests_req_rating_token",
    "ALTER INDEX IF EXISTS requests_request_external_id_f0df6a4d RENAME TO requests_req_external_id",
    # ratings: unit_path is not written; month leads (month, unit); node_path is read by prefix
    "DROP INDEX IF EXISTS requests_rating_unit_path_648b7d39",
    "DROP INDEX IF EXISTS requests_rating_unit_path_648b7d39_like",
    "DROP INDEX IF EXISTS requests_rating_month_647ac5b2",
    "DROP INDEX IF EXISTS requests_rating_node_path_c9981f53",
    "ALTER INDEX IF EXISTS requests_rating_node_path_c9981f53_like RENAME TO requests_rating_path_like",
]


class Migration(migrations.Migration):
    dependencies = [
        ("requests", "0005_admin_permissions"),
        ("territory", "0002_geometry_version_row"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        IndexesBySql(
            operations=STATE_OPERATIONS,
            postgresql=POSTGRESQL,
            description="Drop redundant indexes of requests and ratings",
        )
    ]
