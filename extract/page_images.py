"""The images of a report page that are pages of its report (a 图片版 shows one per printed page), in page order.

Portals put other images on the same page: the site's logo, a print or share icon, a QR code, a banner,
the badges of the footer. Those are no pages. Here the page's markup decides: an image in the page's
header, footer or navigation, or named or sized like furniture, is left out. Most pages do not say an
image's size, so an image whose pixels are too few or too flat for a printed page is left out again
when it is read (`is_page`).

Most portals do not title such a page 图片版: a report page is one of pictures when its own text is too
little to be a report's (`shows_pictures_only`), whatever its title says. A page with the report's text
and a photo, a seal or a QR code beside it is an HTML report, its images none of its pages.
"""

from __future__ import annotations

import re
from pathlib import PurePosixPath
from typing import Any, Final
from urllib.parse import parse_qs, urljoin, urlsplit

from extract.html_layout import SKIP_TAGS

IMAGE_SUFFIXES: Final = (".png", ".jpg", ".jpeg", ".gif", ".tif", ".tiff", ".bmp")
# what a region of the page that holds no report is called, in its id or class
_REGION: Final = re.compile(r"(?<![a-z])(?:header|footer|nav|menu|toolbar|banner|logo|share|qr|ewm|erweima)",
                            re.IGNORECASE)
# what furniture is called, in an image's own file name, id or class
_FURNITURE: Final = re.compile(
    r"(?<![a-z])(?:logo|icon|banner|share|qr|ewm|erweima|print|close|jiucuo|gongan|beian|dzjg|wza|arrow|btn)",
    re.IGNORECASE)
# and in its alt text or title
_FURNITURE_ALT: Final = re.compile(r"标识|徽|二维码|打印|关闭|分享|找错|备案|党政机关|无障碍|图标|返回")
_SMALL: Final = 100  # px: an image the page draws smaller than this on a side is an icon, not a page
_PAGE_SIDE: Final = 300  # px: a page image has at least this on its short side (a logo, an icon, less)
_PAGE_FLAT: Final = 2.5  # a page is at most this much wider than high (a banner is flatter)
_SIZE_STYLE: Final = re.compile(r"(?<![-\w])(width|height)\s*:\s*(\d+(?:\.\d+)?)px", re.IGNORECASE)
# characters: a report's own text, even with its tables shown as pictures, is longer (its six sections); a
# page's frame (crumbs, title, 索引号 and dates, print and close) and a line introducing the pictures are shorter
_REPORT_TEXT: Final = 500


def page_images(root: Any, base: str) -> list[str]:
    """The URLs of the page's images that may be pages of its report, in document order (its page order).

    `root` is the page's lxml tree."""
    urls: list[str] = []
    for img in root.iter("img"):
        src = (img.get("src") or "").strip()
        if not src:
            continue
        url = urljoin(base, src)
        if is_image_file(url) and not _furniture(img, url):
            urls.append(url)
    return list(dict.fromkeys(urls))


def shows_pictures_only(root: Any) -> bool:
    """Whether the page's own text (outside its links, header, footer and navigation) is too little to be a
    report's: its report, if it shows one, is its pictures. `root` is the page's lxml tree; what scripts,
    styles and forms hold is no text of it."""
    body = root.find("body")
    top = body if body is not None else root
    count = 0
    todo = [top]
    while todo and count < _REPORT_TEXT:
        node = todo.pop()
        if isinstance(node.tag, str) and node.tag != "a" and node.tag not in SKIP_TAGS and not _region(node):
            count += _chars(node.text)
            todo.extend(node)
        if node is not top:
            count += _chars(node.tail)  # the text after an element is its parent's
    return count < _REPORT_TEXT


def _chars(text: str | None) -> int:
    return len("".join(text.split())) if text else 0


def _region(node: Any) -> bool:
    return bool(_REGION.search(f"{node.get('id') or ''} {node.get('class') or ''}"))


def is_page(width: int, height: int) -> bool:
    """Whether an image of these pixels can be a printed page (or a long image of several)."""
    return min(width, height) >= _PAGE_SIDE and width <= _PAGE_FLAT * height


def _file_names(url: str) -> list[str]:
    parts = urlsplit(url)
    return [PurePosixPath(parts.path).name, *parse_qs(parts.query).get("filename", [])]  # downfile.jsp?filename=a.png


def is_image_file(url: str) -> bool:
    """Whether the URL names an image file (by its path, or the `filename` of a download script)."""
    return any(n.lower().endswith(IMAGE_SUFFIXES) for n in _file_names(url))


def _furniture(img: Any, url: str) -> bool:
    own = " ".join([*_file_names(url), img.get("id") or "", img.get("class") or ""])
    if _FURNITURE.search(own) or _FURNITURE_ALT.search((img.get("alt") or "") + (img.get("title") or "")):
        return True
    if _drawn_small(img):
        return True
    return any(map(_region, img.iterancestors()))


def _drawn_small(img: Any) -> bool:
    """Drawn smaller than a page could be read at, by its width or height attribute or style (a share
    of the column, `100%`, says nothing)."""
    sizes = [img.get("width") or "", img.get("height") or ""]
    sizes += [value for _, value in _SIZE_STYLE.findall(img.get("style") or "")]
    return any(p is not None and p < _SMALL for p in map(_pixels, sizes))


def _pixels(size: str) -> float | None:
    size = size.strip().lower().removesuffix("px")
    try:
        return float(size)
    except ValueError:
        return None
