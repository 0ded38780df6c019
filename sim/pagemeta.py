"""The 信息公开 metadata around an article (portals.md §4): meta tags, 索引号 tables, one-line bylines.

Each CMS family prints the same facts its own way; a crawler must read the publication date
from any of them (page 发布日期 → `<meta name="PubDate">` → list date → URL date). All
variants here print the true publication time, so the truth's `published` is on the page.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from html import escape
from typing import Final

PUBDATE_FORMATS: Final = ("%Y-%m-%d %H:%M", "%Y-%m-%d %H:%M:%S", "%Y.%m.%d")
BYLINES: Final = ("published_source", "source_time", "written", "published_source_author")


@dataclass(frozen=True, slots=True)
class ArticleFacts:
    title: str
    publisher: str
    published: datetime
    index_no: str
    column: str = "政府信息公开年报"


def index_number(org_code: str, year: int, serial: int, shape: str) -> str:
    """索引号 in one of the shapes of portals.md §4.3: credit code, 9-character code, or a site prefix."""
    if shape == "org9":
        return f"{org_code[8:16]}-{org_code[16]}/{year}-{serial:05d}"
    if shape == "site":
        return f"{org_code[2:8]}/{year}-{serial:05d}"
    return f"{org_code}/{year}-{serial:05d}"


def meta_tags(facts: ArticleFacts, pubdate_format: str, *, extra: str = "") -> str:
    """ArticleTitle / PubDate / ContentSource (+ CMS-specific tags), the TRS/Hanweb/NFCMS head."""
    title = escape(facts.title, quote=True)
    return (
        f'<meta name="ArticleTitle" content="{title}">\n'
        f'<meta name="PubDate" content="{facts.published.strftime(pubdate_format)}">\n'
        f'<meta name="ContentSource" content="{escape(facts.publisher, quote=True)}">\n'
        f'<meta name="ColumnName" content="{facts.column}">\n{extra}'
    )


def info_table(facts: ArticleFacts) -> str:
    """The 索引号 / 主题分类 / 发布机构 / 成文日期 / 标题 / 发文字号 / 发布日期 table above the article."""
    day = facts.published.strftime("%Y-%m-%d")
    return (
        '<table class="xxgk_table">\n'
        f"<tr><th>索 引 号：</th><td>{facts.index_no}</td><th>主题分类：</th><td>综合政务</td></tr>\n"
        f"<tr><th>发布机构：</th><td>{escape(facts.publisher)}</td><th>成文日期：</th><td>{day}</td></tr>\n"
        f'<tr><th>标　　题：</th><td colspan="3">{escape(facts.title)}</td></tr>\n'
        f"<tr><th>发文字号：</th><td></td><th>发布日期：</th><td>{day}</td></tr>\n</table>"
    )


def hanweb_block(facts: ArticleFacts) -> str:
    """仙居县下各镇's form: 索引号 · 公开方式 / 成文日期 · 发布机构 / 组配分类."""
    day = facts.published.strftime("%Y-%m-%d")
    return (
        '<table class="xxgk_info">\n'
        f"<tr><td>索 引 号</td><td>{facts.index_no}</td><td>公开方式</td><td>主动公开</td></tr>\n"
        f"<tr><td>成文日期</td><td>{day}</td><td>发布机构</td><td>{escape(facts.publisher)}</td></tr>\n"
        f'<tr><td>组配分类</td><td colspan="3">{facts.column}</td></tr>\n</table>'
    )


def gkmlpt_table(facts: ArticleFacts) -> str:
    """gkmlpt content pages: 索引号, 分类, 发布机构, 成文日期, 名称, 文号, 发布日期, 主题词."""
    day = facts.published.strftime("%Y-%m-%d")
    return (
        '<table class="classify">\n'
        f"<tr><td>索引号：</td><td>{facts.index_no}</td><td>分类：</td><td>{facts.column}</td></tr>\n"
        f"<tr><td>发布机构：</td><td>{escape(facts.publisher)}</td><td>成文日期：</td><td>{day}</td></tr>\n"
        f'<tr><td>名称：</td><td colspan="3">{escape(facts.title)}</td></tr>\n'
        f"<tr><td>文号：</td><td></td><td>发布日期：</td><td>{day}</td></tr>\n"
        f'<tr><td>主题词：</td><td colspan="3">年度报告</td></tr>\n</table>'
    )


def byline(facts: ArticleFacts, shape: str) -> str:
    """The one-line variants: 利辛, 昌图, 茅箭 and gov.cn (portals.md §4.2)."""
    p, t = escape(facts.publisher), facts.published
    if shape == "source_time":
        text = f"来源：{p}　时间：{t:%Y-%m-%d}"
    elif shape == "written":
        text = f"撰写时间 {t:%Y年%m月%d日 %H:%M:%S} 来源 {p} 编辑 信息公开办"
    elif shape == "published_source_author":
        text = f"发布时间：{t:%Y-%m-%d %H:%M} 来源：{p} 作者："
    else:
        text = f"发布时间:{t:%Y-%m-%d %H:%M} 来源:{p} 字体:[ 大 中 小 ]"
    return f'<div class="article-info">{text}</div>'
