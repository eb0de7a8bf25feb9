"""Training files as offices keep them: a title row above the header, Excel's UTF-16
"Unicode text", invisible characters around a label."""

import csv
import io
from pathlib import Path

from civicgrid.classifier import services


def test_a_titled_unicode_text_file_reads_its_texts_and_clean_labels(tmp_path: Path) -> None:
    out = io.StringIO()
    writer = csv.writer(out, delimiter="\t", lineterminator="\r\n")
    writer.writerows(
        [
            ["2024年工单分类样本"],
            ["编号", "文本", "分类"],
            ["1", "楼上装修噪音太大", "噪音\u200b"],
            ["2", "小区路灯不亮", "\ufeff路灯"],
        ]
    )
    path = tmp_path / "样本.txt"
    path.write_bytes(out.getvalue().encode("utf-16"))

    assert services.read_csv(services.CsvSpec(path, "文本", "分类")) == (
        ["楼上装修噪音太大", "小区路灯不亮"],
        ["噪音", "路灯"],
    )
