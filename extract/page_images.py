"""The images of a report page that are pages of its report (a 图片版 shows one per printed page), in page order.

Portals put other images on the same page: the site's logo, a print or share icon, a QR code, a banner,
the badges of the footer. Those are no pages. Here the page's markup decides: an image in the page's
header, footer or navigation, or named or sized like furniture, is left out. Most pages do not say an
image's size, so an image whose pixels are too few or too flat for a printed page is left out again
when it is read (`is_page`).
"""

from __future__ import annotations

import re
from pathlib import PurePosixPath
from typing import Any, Final
from urllib.parse import parse_qs, urljoin, urlsplit

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
    return any(_REGION.search(f"{a.get('id') or ''} {a.get('class') or ''}") for a in img.iterancestors())


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
