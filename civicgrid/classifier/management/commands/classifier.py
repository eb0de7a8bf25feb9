"""``civicgrid classifier train|predict|train-history``: the classifier from the command line.

``train --csv PATH:TEXT_COLUMN:LABEL_COLUMN [--csv …] [--model NAME]`` trains a model on
labelled CSV files; ``predict --csv PATH:TEXT_COLUMN --output OUT.csv [--model NAME]``
writes ``row,label,confidence`` (UTF-8 with a BOM, for Excel) for every non-blank input
row, in order: ``row`` is the row number the spreadsheet shows, and a row whose text is
empty gets no label and no confidence. Both work before the database is migrated (the
model lives in ``DATA_DIR/classifier/NAME/``).
``train-history`` trains the catalogue model on the deployment's requests.
"""

import csv
import time
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext

from civicgrid.classifier import batch, services, store
from civicgrid.core.errors import CivicError

ACTOR = "命令行"  # i18n: data (the actor's name kept in the audit log)


class Command(BaseCommand):
    help = gettext(
        "智能分类：train 用 CSV 训练模型；predict 批量预测并写出 CSV；"
        "train-history 用诉求历史训练派单目录模型。"
    )

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        train = sub.add_parser("train", help=gettext("用带标签的 CSV 训练模型"))
        train.add_argument("--csv", action="append", required=True, metavar="PATH:TEXT_COLUMN:LABEL_COLUMN")
        train.add_argument("--model", default=store.DEFAULT_NAME, metavar="NAME")
        predict = sub.add_parser("predict", help=gettext("批量预测，写出 row,label,confidence"))
        predict.add_argument("--csv", required=True, metavar="PATH:TEXT_COLUMN")
        predict.add_argument("--output", required=True, metavar="OUT.csv")
        predict.add_argument("--model", default=store.DEFAULT_NAME, metavar="NAME")
        history = sub.add_parser(
            "train-history", help=gettext("用诉求历史（含人工改正后的分类）训练派单目录模型")
        )
        history.add_argument("--model", default=services.HISTORY_MODEL, metavar="NAME")

    def handle(self, *args: object, **opts: Any) -> None:
        handlers = {"train": self.train, "predict": self.predict, "train-history": self.train_history}
        try:
            handlers[opts["action"]](opts)
        except CivicError as exc:
            raise CommandError(exc.message) from exc

    def train(self, opts: dict[str, Any]) -> None:
        specs = [services.CsvSpec.parse(s, with_label=True) for s in opts["csv"]]
        result = services.classifier_train_csv(actor=ACTOR, specs=specs, name=opts["model"], system=True)
        self._report(result)

    def train_history(self, opts: dict[str, Any]) -> None:
        result = services.classifier_train_history(actor=ACTOR, name=opts["model"], system=True)
        self._report(result)

    def _report(self, result: services.TrainResult) -> None:
        meta = result.bundle.meta
        self.stdout.write(
            gettext(
                "已训练模型 {name}：{rows} 条，用时 {seconds:.1f} 秒，文件 {file}（{megabytes:.1f} MB）"
            ).format(
                name=meta["name"],
                rows=meta["rows"],
                seconds=meta["seconds"],
                file=store.root() / result.file,
                megabytes=result.size_bytes / 1e6,
            )
        )
        for head, evaluation in result.bundle.evaluations.items():
            self.stdout.write(
                gettext(
                    "  {head}：{count} 类，{folds} 折交叉验证 macro-F1 {macro_f1:.4f}，准确率 {accuracy:.4f}"
                ).format(
                    head=head,
                    count=len(evaluation["labels"]),
                    folds=evaluation["folds"],
                    macro_f1=evaluation["macro_f1"],
                    accuracy=evaluation["accuracy"],
                )
            )
        if result.version is not None:
            self.stdout.write(
                gettext("已登记为模型版本：{version}（在「智能分类」页面启用）").format(
                    version=result.version
                )
            )
        if result.warning:
            self.stderr.write(gettext("警告：{warning}").format(warning=result.warning))

    def predict(self, opts: dict[str, Any]) -> None:
        spec = services.CsvSpec.parse(opts["csv"], with_label=False)
        numbers, texts, _ = services.read_csv_rows(spec)
        started = time.perf_counter()
        bundle = store.load(store.latest(store.check_name(opts["model"])))
        head = "label" if "label" in bundle.heads else "category"
        # An empty text gets no label: a guess from nothing would read as a prediction.
        filled = [i for i, text in enumerate(texts) if text.strip()]
        results = dict(zip(filled, batch.predict(bundle, [texts[i] for i in filled], head=head), strict=True))
        output = Path(opts["output"])
        output.parent.mkdir(parents=True, exist_ok=True)
        # With a BOM, as the product's CSV templates: Excel on Chinese Windows reads it as UTF-8.
        with output.open("w", encoding="utf-8-sig", newline="") as f:
            writer = csv.writer(f)
            writer.writerow(["row", "label", "confidence"])
            for i, number in enumerate(numbers):  # the row as the spreadsheet shows it
                label, confidence = results.get(i, ("", None))
                writer.writerow([number, label, "" if confidence is None else f"{confidence:.4f}"])
        seconds = time.perf_counter() - started
        self.stdout.write(
            gettext("已预测 {count} 条，用时 {seconds:.1f} 秒，结果写入 {output}").format(
                count=len(filled), seconds=seconds, output=output
            )
        )
        if blank := len(texts) - len(filled):
            self.stdout.write(
                gettext("{count} 行的文本为空，未预测（label 和 confidence 留空）").format(count=blank)
            )
