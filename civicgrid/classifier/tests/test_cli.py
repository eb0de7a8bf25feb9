"""``civicgrid classifier train`` and ``predict``: a round trip on a small slice."""

import csv
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from civicgrid.classifier import services
from civicgrid.classifier.models import ClassifierVersion
from civicgrid.classifier.tests.conftest import write_csv
from civicgrid.core.models import AuditLog


def _train_files(
    tmp_path: Path, raw_rows: list[dict[str, str]], token_rows: list[dict[str, str]]
) -> list[str]:
    raw = write_csv(tmp_path / "raw.csv", raw_rows, ("text", "label"))
    tokens = [{"tokens": r["text"], "level1": r["label"]} for r in token_rows]
    tok = write_csv(tmp_path / "tokens.csv", tokens, ("tokens", "level1"))
    return ["--csv", f"{raw}:text:label", "--csv", f"{tok}:tokens:level1"]


@pytest.mark.django_db
def test_train_then_predict_round_trip(
    model_dir: Path,
    tmp_path: Path,
    raw_rows: list[dict[str, str]],
    token_rows: list[dict[str, str]],
    held_out_rows: list[dict[str, str]],
) -> None:
    call_command("classifier", "train", *_train_files(tmp_path, raw_rows, token_rows), "--model", "contest")
    version = ClassifierVersion.objects.get(name="contest")
    assert version.number == 1 and not version.is_active
    assert version.rows == len(raw_rows) + len(token_rows) and version.classes == 7
    assert version.macro_f1 is not None and set(version.metrics) == {"label"}
    assert (model_dir / version.file).is_file()
    assert AuditLog.objects.filter(verb=services.TRAINED, target_id=str(version.pk)).count() == 1

    inputs = write_csv(tmp_path / "new.csv", held_out_rows, ("text",))
    out = tmp_path / "out" / "pred.csv"
    call_command(
        "classifier", "predict", "--csv", f"{inputs}:text", "--output", str(out), "--model", "contest"
    )
    with out.open(encoding="utf-8-sig") as f:
        rows = list(csv.reader(f))
    assert rows[0] == ["row", "label", "confidence"]
    assert [r[0] for r in rows[1:]] == [str(n) for n in range(2, len(held_out_rows) + 2)]  # header is row 1
    labels = {r["label"] for r in raw_rows}
    assert all(r[1] in labels and 0.0 < float(r[2]) <= 1.0 for r in rows[1:])
    right = sum(r[1] == h["label"] for r, h in zip(rows[1:], held_out_rows, strict=True))
    assert right / len(held_out_rows) >= 0.6


@pytest.mark.django_db
def test_train_without_database_tables_keeps_the_file_and_warns(
    model_dir: Path,
    tmp_path: Path,
    raw_rows: list[dict[str, str]],
    token_rows: list[dict[str, str]],
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setattr(services, "database_ready", lambda: False)
    call_command("classifier", "train", *_train_files(tmp_path, raw_rows[:70], token_rows[:70]))
    assert "数据库尚未迁移" in capsys.readouterr().err
    assert not ClassifierVersion.objects.exists()
    assert (model_dir / "default" / "latest").is_file()


@pytest.mark.django_db
def test_bad_arguments_are_refused_in_chinese(model_dir: Path, tmp_path: Path) -> None:
    with pytest.raises(CommandError, match="格式"):
        call_command("classifier", "train", "--csv", "only-a-path.csv")
    with pytest.raises(CommandError, match="文件不存在"):
        call_command("classifier", "train", "--csv", f"{tmp_path / 'missing.csv'}:text:label")
    with pytest.raises(CommandError, match="还没有训练过"):
        path = write_csv(tmp_path / "x.csv", [{"text": "电梯坏了"}], ("text",))
        call_command("classifier", "predict", "--csv", f"{path}:text", "--output", str(tmp_path / "o.csv"))


def test_files_are_read_in_gbk_or_xlsx_and_a_handful_of_rows_is_refused(
    model_dir: Path, tmp_path: Path
) -> None:
    from openpyxl import Workbook

    gbk = tmp_path / "gbk.csv"
    gbk.write_bytes("文本,分类\n电梯坏了,住建\n路灯不亮,城管\n".encode("gbk"))
    assert services.read_csv(services.CsvSpec(gbk, "文本", "分类")) == (
        ["电梯坏了", "路灯不亮"],
        ["住建", "城管"],
    )
    book = Workbook()
    book.active.append(["text"])
    book.active.append(["噪音扰民"])
    xlsx = tmp_path / "new.xlsx"
    book.save(xlsx)
    assert services.read_csv(services.CsvSpec(xlsx, "text")) == (["噪音扰民"], [""])
    with pytest.raises(CommandError, match="有标签的数据太少"):
        call_command("classifier", "train", "--csv", f"{gbk}:文本:分类")
