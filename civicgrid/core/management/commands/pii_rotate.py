"""Re-encrypt the stored personal information under the current PII key.

    civicgrid pii_rotate [--batch-size 500] [--dry-run]

Step 2 of a key rotation (docs/configuration.md): ``CIVICGRID_PII_KEY`` is the new key and
the old one is in ``CIVICGRID_PII_OLD_KEYS``. Every ``*_enc`` column of every table
(``core.checks.encrypted_columns``) is read in primary-key order, in batches each in its
own transaction; a value under an old key is decrypted and encrypted again under the new
one, a value already under it is left alone, so the command may be stopped and run again.
Each batch that changed something writes one audit row ``core.pii_rotated`` (table,
column, count). A value that no configured key decrypts is counted and left as it is, and
the command then ends with an error.
"""

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction
from django.utils.translation import gettext

from civicgrid.core import crypto
from civicgrid.core.audit import audit_write
from civicgrid.core.checks import encrypted_columns

ACTOR = "命令行"  # i18n: data (the actor's name kept in the audit log)
VERB = "core.pii_rotated"


class Command(BaseCommand):
    help = gettext("用当前密钥（CIVICGRID_PII_KEY）重新加密已存储的个人信息（密钥轮换第二步）")

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--batch-size", type=int, default=500, help=gettext("每批行数（默认 500）"))
        parser.add_argument("--dry-run", action="store_true", help=gettext("只统计，不改动"))

    def handle(self, *args: Any, **opts: Any) -> None:
        batch = int(opts["batch_size"])
        if batch < 1:
            raise CommandError(gettext("--batch-size 须为正整数"))
        dry_run = bool(opts["dry_run"])
        unreadable_total = 0
        for model, field, _hash in encrypted_columns():
            rotated, current, unreadable = self.rotate(model, field, batch, dry_run)
            unreadable_total += unreadable
            if rotated or unreadable:
                self.stdout.write(
                    gettext(
                        "{table}.{field}：{verb} {rotated} 个，已是当前密钥 {current} 个，无法解密 {bad} 个"
                    ).format(
                        table=model._meta.label,
                        field=field,
                        verb=gettext("待重新加密") if dry_run else gettext("重新加密"),
                        rotated=rotated,
                        current=current,
                        bad=unreadable,
                    )
                )
        if unreadable_total:
            raise CommandError(
                gettext(
                    "{count} 个值无法用已配置的任何密钥解密，未改动；"
                    "请把加密它们的密钥加入 CIVICGRID_PII_OLD_KEYS 后重新运行"
                ).format(count=unreadable_total)
            )
        self.stdout.write(
            gettext("完成：所有已加密的个人信息均使用当前密钥")
            if not dry_run
            else gettext("统计完成（未改动）")
        )

    def rotate(self, model: Any, field: str, batch: int, dry_run: bool) -> tuple[int, int, int]:
        manager = model._default_manager
        rotated = current = unreadable = 0
        last_pk: Any = None
        while True:
            with transaction.atomic():
                rows = manager.exclude(**{field: ""}).order_by("pk")
                if last_pk is not None:
                    rows = rows.filter(pk__gt=last_pk)
                page = list(rows.values_list("pk", field)[:batch])
                if not page:
                    break
                last_pk = page[-1][0]
                changed = 0
                for pk, value in page:
                    if crypto.under_current_key(value):
                        current += 1
                        continue
                    try:
                        clear = crypto.decrypt(value)
                    except ValueError:
                        unreadable += 1
                        continue
                    changed += 1
                    if not dry_run:
                        # Only if nobody changed the value meanwhile (that write used the new key).
                        manager.filter(pk=pk, **{field: value}).update(**{field: crypto.encrypt(clear)})
                rotated += changed
                if changed and not dry_run:
                    audit_write(
                        actor=ACTOR,
                        verb=VERB,
                        target_type=model._meta.label_lower,
                        target_label=f"{model._meta.label}.{field}",
                        after={"field": field, "count": changed, "up_to_id": str(last_pk)},
                    )
        return rotated, current, unreadable
