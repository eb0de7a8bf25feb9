"""``civicgrid catalogue …``: the default catalogue, Excel import/export, and unit set-up."""

import time
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext

from civicgrid.core.errors import CivicError, Conflict
from civicgrid.requests import catalogue, units
from civicgrid.requests.models import CatalogueVersion
from civicgrid.territory.models import Node, NodeKind

ACTOR = "命令行"  # i18n: data (the actor's name kept in the audit log)


class Command(BaseCommand):
    help = gettext(
        "派单目录与承办单位。load-default：发布默认目录（已有版本时不做任何事，--force 强制）；"
        "export FILE.xlsx：导出目录；import FILE.xlsx：导入并发布新版本；"
        "setup：为已有区划建立承办单位、默认职能部门、默认目录和派单规则。"
    )

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        load = sub.add_parser("load-default", help=gettext("发布默认派单目录"))
        load.add_argument("--force", action="store_true", help=gettext("已有版本时也发布一个新版本"))
        export = sub.add_parser("export", help=gettext("导出派单目录为 Excel"))
        export.add_argument("file")
        export.add_argument("--version", type=int, dest="number", help=gettext("版本号（默认当前版本）"))
        imp = sub.add_parser("import", help=gettext("从 Excel 导入并发布新版本"))
        imp.add_argument("file")
        imp.add_argument("--note", default="", help=gettext("版本说明"))
        imp.add_argument(
            "--force", action="store_true", help=gettext("文件导出自旧版本时仍导入（覆盖其间发布的修改）")
        )
        imp.add_argument("--merge", action="store_true", help=gettext("并入当前版本（文件中没有的分类保留）"))
        imp.add_argument(
            "--dry-run", action="store_true", help=gettext("只列出将新增、删除、修改的分类，不发布")
        )
        imp.add_argument(
            "--confirm-removals", action="store_true", help=gettext("新版本删除当前版本的分类时，确认删除")
        )
        setup = sub.add_parser("setup", help=gettext("建立承办单位、默认职能部门、默认目录和派单规则"))
        setup.add_argument("--district", help=gettext("区（县）编码（默认全部）"))

    def handle(self, *args: object, **opts: Any) -> None:
        handlers = {
            "load-default": self.load_default,
            "export": self.export,
            "import": self.import_,
            "setup": self.setup,
        }
        try:
            handlers[opts["action"]](opts)
        except CivicError as exc:
            raise CommandError(exc.message) from exc

    def load_default(self, opts: dict[str, Any]) -> None:
        started = time.perf_counter()
        version, unlinked = catalogue.catalogue_load_default(actor=ACTOR, force=opts["force"], system=True)
        if version is None:
            self.stdout.write(gettext("已有派单目录版本，未做改动（如需重新发布请加 --force）"))
            return
        self._published(version, time.perf_counter() - started)
        if unlinked:
            self.stdout.write(
                gettext(
                    "提示：{unlinked} 个分类的责任单位尚未建立，暂按属地派单；运行 civicgrid "
                    "catalogue setup 建立默认职能部门后会自动补全"
                ).format(unlinked=unlinked)
            )

    def _changes(self, changes: catalogue.Changes, out: Any, most: int = 50) -> None:
        """The preview as the page shows it: the counts, then each list, the first ``most`` rows."""
        out.write(changes.summary())
        for label, rows in ((gettext("新增"), changes.added), (gettext("删除"), changes.removed)):
            for row in rows[:most]:
                out.write(f"  {label}：{row}")
            if len(rows) > most:
                out.write("  " + gettext("……另有 {more} 个").format(more=len(rows) - most))
        for row in changes.changed[:most]:
            out.write("  " + gettext("修改：{row}").format(row=row))
        if len(changes.changed) > most:
            out.write("  " + gettext("……另有 {more} 个").format(more=len(changes.changed) - most))

    def _published(self, version: CatalogueVersion, seconds: float) -> None:
        leaves = version.categories.filter(level=3).count()
        self.stdout.write(
            gettext("已发布派单目录第{number}版：{leaves} 个三级分类，用时 {seconds:.2f} 秒").format(
                number=version.number, leaves=leaves, seconds=seconds
            )
        )
        if unmatched := catalogue.unmatched_rules(version):
            self.stderr.write(self.style.WARNING(catalogue.unmatched_rules_text(unmatched)))

    def export(self, opts: dict[str, Any]) -> None:
        version = catalogue.catalogue_version_get(opts["number"])
        if version is None:
            raise CommandError(gettext("没有这个版本的派单目录"))
        Path(opts["file"]).write_bytes(catalogue.catalogue_xlsx(version))
        self.stdout.write(
            gettext("已导出第{number}版到 {file}").format(number=version.number, file=opts["file"])
        )

    def import_(self, opts: dict[str, Any]) -> None:
        path = Path(opts["file"])
        if not path.is_file():
            raise CommandError(gettext("文件不存在：{path}").format(path=path))
        started = time.perf_counter()
        how = {
            "actor": ACTOR,
            "data": path.read_bytes(),
            "system": True,
            "force": opts["force"],
            "merge": opts["merge"],
        }
        try:
            if opts["dry_run"]:
                self._changes(catalogue.catalogue_import_preview(**how), self.stdout)
                self.stdout.write(gettext("预览完毕，未发布（去掉 --dry-run 即发布）"))
                return
            version = catalogue.catalogue_import(
                **how, note=opts["note"], removals_confirmed=opts["confirm_removals"]
            )
        except catalogue.CatalogueUnchanged as exc:
            self.stdout.write(exc.message)
            return
        except catalogue.RemovalsUnconfirmed as exc:
            # As the page asks before it deletes: the leaves are listed, nothing is published.
            self._changes(exc.changes, self.stderr)
            raise CommandError(
                gettext("{message}（命令行请核对后加 --confirm-removals 再导入）").format(message=exc.message)
            ) from exc
        except Conflict as exc:
            if exc.code == "stale_catalogue":  # the page's message says to tick its checkbox
                raise CommandError(catalogue.stale_cli_message(exc)) from exc
            raise
        except CivicError as exc:
            detail = getattr(exc, "errors", {}) or {}
            for where, reasons in list(detail.items())[:50]:
                self.stderr.write(f"{where}：{'；'.join(reasons)}")
            raise
        self._published(version, time.perf_counter() - started)

    def _district(self, code: str | None) -> Node | None:
        if not code:
            return None
        node = Node.objects.filter(code=code, kind=NodeKind.DISTRICT).first()
        if node is None:
            raise CommandError(gettext("没有编码为 {code} 的区（县）").format(code=code))
        return node

    def setup(self, opts: dict[str, Any]) -> None:
        district = self._district(opts["district"])
        made = units.units_from_territory(actor=ACTOR, district=district, system=True)
        self.stdout.write(
            gettext("区、街道、社区承办单位：新建 {count} 个，已有 {existing} 个").format(
                count=len(made.created), existing=made.existing
            )
        )
        districts = [district] if district else units.districts_for(None)
        for node in districts:
            depts = units.departments_install_default(actor=ACTOR, district=node, system=True)
            counts = gettext("新建 {count} 个，已有 {existing} 个").format(
                count=len(depts.created), existing=depts.existing
            )
            self.stdout.write(
                gettext("{name}默认职能部门和企业：{counts}").format(name=node.name, counts=counts)
            )
            if depts.shared_from:
                self.stderr.write(
                    gettext(
                        "注意：默认职能部门已属于{others}（每套系统一套）。派单目录按编码指定责任部门，"
                        "{name}的诉求也会派往这些部门；多个区（县）请分别部署，或用按区域的派单规则指定本区部门"
                    ).format(others="、".join(depts.shared_from), name=node.name)
                )
        version, _ = catalogue.catalogue_load_default(actor=ACTOR, system=True)
        version = version or catalogue.catalogue_link_default_units(actor=ACTOR, system=True)
        if version is not None:
            self.stdout.write(gettext("派单目录已发布第{number}版").format(number=version.number))
        rules = units.default_rules_install(actor=ACTOR, system=True)
        self.stdout.write(gettext("默认派单规则：新建 {count} 条").format(count=len(rules)))
