"""Page skeletons around a rendered report body: a bare CMS page, a Word `.htm`, a portal article.

`charset=None` writes no charset anywhere (the decoder must detect the encoding).
"""

from __future__ import annotations

import random
from html import escape
from typing import Final

from extract.schema import Record
from sim.render.model import Document
from sim.render.names import portal_site

_DEFAULT_TITLE: Final = "政府信息公开工作年度报告"
_ICP: Final = ("湘", "鄂", "浙", "皖", "辽", "粤", "川")


def _title(doc: Document) -> str:
    return escape((doc.title or _DEFAULT_TITLE).replace("\n", ""), quote=True)


def clean_page(doc: Document, body: str, rng: random.Random, *, charset: str | None) -> str:
    """A minimal article page holding the editor's output."""
    meta = f'<meta charset="{charset}">\n' if charset else ""
    container = rng.choice(('<div id="zoom">', '<div class="TRS_Editor">', '<div id="zoom" class="article-content">'))
    return (
        f"<!DOCTYPE html>\n<html>\n<head>\n{meta}<title>{_title(doc)}</title>\n</head>\n<body>\n"
        f"{container}\n{body}\n</div>\n</body>\n</html>\n"
    )


_WORD_STYLE: Final = """<style>
<!--
 /* Font Definitions */
 @font-face
	{font-family:仿宋_GB2312;
	panose-1:2 1 6 9 3 1 1 1 1 1;}
 /* Style Definitions */
 p.MsoNormal, li.MsoNormal, div.MsoNormal
	{mso-style-unhide:no;
	margin:0cm;
	text-align:justify;
	text-justify:inter-ideograph;
	font-size:10.5pt;
	font-family:"Times New Roman",serif;}
@page WordSection1
	{size:595.3pt 841.9pt;
	margin:72.0pt 90.0pt 72.0pt 90.0pt;
	layout-grid:15.6pt;}
div.WordSection1
	{page:WordSection1;}
-->
</style>"""


def word_page(doc: Document, body: str, rng: random.Random, *, charset: str | None) -> str:
    """Word's "save as web page" output, or the same markup pasted into a CMS editor."""
    section = f"<div class=WordSection1 style='layout-grid:15.6pt'>\n{body}\n</div>"
    content_type = f"text/html; charset={charset}" if charset else "text/html"
    if rng.random() < 0.5:
        editor = (
            "<style>.TRS_Editor P{margin-top:0px;margin-bottom:12px;line-height:1.8;font-family:宋体;"
            "font-size:12pt;}.TRS_Editor TD{font-size:12pt;}</style>"
        )
        return (
            f'<!DOCTYPE html>\n<html>\n<head>\n<meta http-equiv="Content-Type" content="{content_type}">\n'
            f"<title>{_title(doc)}</title>\n</head>\n<body>\n<div class=TRS_Editor>{editor}\n{section}\n</div>\n"
            "</body>\n</html>\n"
        )
    return (
        '<html xmlns:v="urn:schemas-microsoft-com:vml"\nxmlns:o="urn:schemas-microsoft-com:office:office"\n'
        'xmlns:w="urn:schemas-microsoft-com:office:word"\nxmlns="http://www.w3.org/TR/REC-html40">\n\n<head>\n'
        f'<meta http-equiv=Content-Type content="{content_type}">\n<meta name=ProgId content=Word.Document>\n'
        '<meta name=Generator content="Microsoft Word 15">\n<meta name=Originator content="Microsoft Word 15">\n'
        f"<title>{_title(doc)}</title>\n"
        "<!--[if gte mso 9]><xml>\n <o:DocumentProperties>\n  <o:Author>Administrator</o:Author>\n"
        f"  <o:Pages>{rng.randint(3, 9)}</o:Pages>\n </o:DocumentProperties>\n</xml><![endif]-->\n"
        f"{_WORD_STYLE}\n</head>\n\n<body lang=ZH-CN style='tab-interval:21.0pt;text-justify-trim:punctuation'>\n\n"
        f"{section}\n\n</body>\n\n</html>\n"
    )


def portal_page(record: Record, doc: Document, body: str, rng: random.Random, *, charset: str | None) -> str:
    """A government portal article: head meta, navigation, breadcrumbs, the 信息公开 metadata
    table above the article, the report, and the footer."""
    site = escape(portal_site(record.get("agency")), quote=True)
    publisher = escape(record.get("agency") or portal_site(None), quote=True)
    title = _title(doc)
    year = int(record.get("year") or 2024) + 1
    day = f"{year}-{rng.choice((1, 1, 1, 2, 3)):02d}-{rng.randint(5, 28):02d}"
    pub = f"{day} {rng.randint(8, 17):02d}:{rng.randint(0, 59):02d}"
    index_no = f"{rng.randint(10**8, 10**9 - 1)}/{year}-{rng.randint(1, 99999):05d}"
    meta = f'<meta charset="{charset}">\n' if charset else ""
    return f"""<!DOCTYPE html>
<html lang="zh-CN">
<head>
{meta}<meta http-equiv="X-UA-Compatible" content="IE=edge">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{title}_{site}</title>
<meta name="SiteName" content="{site}">
<meta name="ColumnName" content="政府信息公开年报">
<meta name="ColumnType" content="政府信息公开年报">
<meta name="ArticleTitle" content="{title}">
<meta name="PubDate" content="{pub}">
<meta name="ContentSource" content="{publisher}">
<meta name="Keywords" content="政府信息公开,年度报告">
<link rel="stylesheet" href="/images/base.css">
<script src="/js/jquery-1.12.4.min.js"></script>
</head>
<body>
<div class="topbar"><div class="w1200">
<span class="welcome">欢迎访问{site}门户网站</span>
<a href="/">首页</a> | <a href="javascript:void(0);" id="StranLink">繁體版</a> | <a href="/wza/">无障碍</a>
| <a href="/jgzn/">移动版</a>
</div></div>
<div class="header"><a href="/" class="logo"><img src="/images/logo.png" alt="{site}"></a>
<form class="search" action="/search/" method="get"><input type="text" name="q" placeholder="请输入关键词">
<button type="submit">搜索</button></form></div>
<div class="nav"><ul>
<li><a href="/">首页</a></li><li><a href="/zwgk/">政务公开</a></li><li><a href="/zwfw/">政务服务</a></li>
<li><a href="/hdjl/">互动交流</a></li><li><a href="/ztzl/">专题专栏</a></li>
</ul></div>
<div class="crumbs">当前位置：<a href="/">首页</a> &gt; <a href="/zwgk/">政务公开</a> &gt;
<a href="/zwgk/zfxxgk/">政府信息公开</a> &gt; <a href="./">政府信息公开年报</a></div>
<div class="xxgk_meta">
<table class="xxgk_table">
<tr><th>索 引 号：</th><td>{index_no}</td><th>主题分类：</th><td>综合政务</td></tr>
<tr><th>发布机构：</th><td>{publisher}</td><th>成文日期：</th><td>{day}</td></tr>
<tr><th>标　　题：</th><td colspan="3">{title}</td></tr>
<tr><th>发文字号：</th><td></td><th>发布日期：</th><td>{day}</td></tr>
</table>
</div>
<div class="article">
<h1 class="article-title">{title}</h1>
<div class="article-info">发布时间：{pub} 来源：{publisher}
浏览次数：<span id="hits">{rng.randint(20, 3000)}</span> 字体：[<a href="javascript:doZoom(18)">大</a>
<a href="javascript:doZoom(16)">中</a> <a href="javascript:doZoom(14)">小</a>]</div>
<div class="article-content" id="zoom">
{body}
</div>
<div class="article-tools"><a href="javascript:window.print();">打印本页</a>
<a href="javascript:window.close();">关闭窗口</a></div>
</div>
<div class="footer">
<p><a href="/wzdt/">网站地图</a> | <a href="/lxwm/">联系我们</a> | <a href="/sm/">网站声明</a></p>
<p>主办单位：{site}办公室 承办单位：{site}电子政务中心</p>
<p><a href="https://beian.miit.gov.cn/" target="_blank">{rng.choice(_ICP)}ICP备{rng.randint(10**7, 10**8 - 1)}号-1</a>
公网安备 {rng.randint(10**13, 10**14 - 1)}号 网站标识码：{rng.randint(10**9, 10**10 - 1)}</p>
</div>
<script type="text/javascript">
function doZoom(size) {{ document.getElementById("zoom").style.fontSize = size + "px"; }}
var _hmt = _hmt || [];
(function () {{ var hm = document.createElement("script"); hm.src = "/js/stat.js"; document.body.appendChild(hm); }})();
</script>
</body>
</html>
"""
