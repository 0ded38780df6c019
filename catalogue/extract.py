"""Why a file could not be read as a report: the one line a person sees, in Chinese.

`extract.errors.UnreadableInputError(key, **words)` carries the key (an id, for programs and
tests) and its words; its text is `say(key, **words)`. The crawler keeps that text as the reason
a found report is unreadable, and the command line prints it after the file's path.
"""

from __future__ import annotations

from typing import Final

# the media a message may name (`medium` in the words), as people call them
MEDIA: Final[dict[str, str]] = {
    "pdf": "PDF", "docx": "DOCX", "doc": "DOC", "wps": "WPS", "rtf": "RTF", "odt": "ODT", "xlsx": "XLSX",
    "xls": "XLS", "ods": "ODS", "image": "图片", "zip": "压缩包", "text": "文本",
}

MESSAGES: Final[dict[str, str]] = {
    # the file itself
    "file.cannot_read": "无法读取（{reason}）",
    "file.directory": "是文件夹，不是报告文件",
    "file.fifo": "是命名管道（FIFO），不是普通文件，不予读取",
    "file.device": "是设备文件，不是普通文件，不予读取",
    "file.special": "不是普通文件（套接字等），不予读取",
    "file.too_large": "文件过大：{size:.1f} MB（上限 {limit:.0f} MB）",
    "input.empty": "空文件",
    "input.binary": "是二进制数据，不是文本或 HTML 格式的报告",
    "input.not_report": "不是政府信息公开工作年度报告：找不到标题、章节标题或报告表格",
    "text.too_large": "文本过大：{size:.1f} MB（上限 {limit:.0f} MB）",
    "gzip.corrupt": "gzip 压缩数据已损坏（{reason}）",
    "gzip.too_large": "gzip 压缩数据解压后超过 {limit} MiB",
    # attachments
    "attachment.too_large": "{medium}：文件过大：{size:.1f} MB（上限 {limit:.0f} MB）",
    "attachment.timeout": "{medium}：处理超过 {seconds:.0f} 秒，已放弃",
    "zip.corrupt": "{medium}：压缩包被截断或已损坏（{reason}）",
    "zip.not_document": "压缩包不是 DOCX、XLSX 或 OpenDocument 文件",
    "zip.members": "{medium}：压缩包有 {n} 个成员（上限 {limit}）",
    "zip.bomb": "{medium}：拒绝压缩炸弹：解压后达 {size} MiB（上限 {limit} MiB）",
    "zip.ratio": "{medium}：拒绝压缩炸弹：{member} 解压后膨胀 {ratio:.0f} 倍（上限 {limit:.0f} 倍）",
    "zip.underdeclared": "{medium}：压缩包成员 {member} 解压后超过其声明的 {declared} 字节（文件已损坏或被篡改）",
    "zip.unsupported": "{medium}：压缩包成员 {member} 已加密或使用了不支持的压缩方式",
    "pdf.encrypted": "{medium}：文件已加密（需要密码才能打开）",
    "pdf.corrupt": "{medium}：文件被截断或已损坏（{reason}）",
    "pdf.too_many_pages": "{medium}：共 {pages} 页（一份报告最多 {limit} 页）",
    "pdf.no_pages": "{medium}：文件中没有页面",
    "pdf.page_corrupt": "{medium}：第 {page} 页已损坏（{reason}）",
    "docx.corrupt": "{medium}：文档已损坏（{reason}）",
    "sheet.corrupt": "{medium}：工作簿已损坏（{reason}）",
    "sheet.too_large": "{medium}：工作表“{sheet}”超过 {limit} 个单元格",
    "office.missing": "{medium}：未安装 LibreOffice（soffice），无法读取这种格式",
    "office.timeout": "{medium}：LibreOffice 转换超过 {seconds:.0f} 秒，已放弃",
    "office.failed": "{medium}：LibreOffice 无法转换该文件（已损坏或格式不受支持）",
    "office.too_large": "{medium}：LibreOffice 转换结果过大：超过 {limit:.0f} MB",
    # images and OCR
    "image.pixels": "{medium}：{width}×{height} 像素（上限 {limit:.0f} 百万像素）",
    "image.frames": "{medium}：{frames} 帧共 {size:.0f} 百万像素（上限 {limit:.0f} 百万像素）",
    "image.bomb": "{medium}：拒绝解压炸弹（上限 {limit:.0f} 百万像素）",
    "image.corrupt": "{medium}：图片被截断或已损坏（{reason}）",
    "image.page": "图片版第 {page} 页：{reason}",
    "image.pages_missing": "图片版的页面图片尚未全部存档，待下次抓取取得后再读取",
    "image.page_not_fetched": "图片版第 {page} 页的图片未能取得（{fault}），无法读取全文；下次抓取取得后将自动读取",
    "ocr.engine": "{medium}：没有可用的文字识别引擎（请安装 rapidocr-onnxruntime 或 tesseract）",
    "ocr.off": "{medium}：扫描件没有文字层，而此处未启用文字识别",
    "ocr.pages": "{medium}：需文字识别的扫描页有 {pages} 页（上限 {limit} 页）",
    "ocr.timeout": "{medium}：文字识别超过 {seconds:.0f} 秒，已放弃",
}


def say(key: str, **words: object) -> str:
    """The message `key` filled with `words`; a medium id is named as people call it."""
    if isinstance(medium := words.get("medium"), str):
        words = {**words, "medium": MEDIA.get(medium, medium)}
    return MESSAGES[key].format(**words)
