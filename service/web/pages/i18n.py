"""Two languages, one catalog: every key has an English and a Chinese text (a test holds it)."""

from __future__ import annotations

from flask import request

LANGS = ("en", "zh")
HTML_LANG = {"en": "en", "zh": "zh-CN"}

TEXTS: dict[str, tuple[str, str]] = {
    "site": ("China social security statistics", "中国社会保障统计"),
    "tagline": (("Open data on China's social security: every number with its source and the sentence it "
                "comes from."), "中国社会保障开放数据:每个数字都附有来源和原文引述。"),
    "nav.catalog": ("Catalog", "数据目录"),
    "nav.provinces": ("Provinces", "分省数据"),
    "nav.sql": ("SQL console", "SQL 查询"),
    "nav.releases": ("Releases", "版本"),
    "nav.api": ("API", "API"),
    "switch": ("中文", "English"),
    "switch.label": ("Read this page in Chinese", "Read this page in English"),
    "skip": ("Skip to content", "跳到正文"),
    "release": ("Release", "版本"),
    "search": ("Search packages and indicators", "搜索数据包和指标"),
    "search.hint": ("Names in English or Chinese, ids, units", "中英文名称、代码、单位"),
    "search.none": ("Nothing matches.", "没有匹配项。"),
    "search.count": ("matches", "项匹配"),
    "packages": ("Packages", "数据包"),
    "package": ("Package", "数据包"),
    "indicators": ("Indicators", "指标"),
    "indicator": ("Indicator", "指标"),
    "coverage": ("Coverage", "覆盖范围"),
    "years": ("Years", "年份"),
    "years.covered": ("years with a value", "个年份有数值"),
    "gaps": ("no value for", "缺少年份"),
    "regions": ("Regions", "地区"),
    "region": ("Region", "地区"),
    "rows": ("rows", "行"),
    "downloads": ("Downloads", "下载"),
    "status": ("Validation", "校验"),
    "valid": ("valid", "通过"),
    "invalid": ("findings", "有问题"),
    "unit": ("Unit", "单位"),
    "id": ("Id", "代码"),
    "readme": ("About this package", "数据包说明"),
    "resources": ("Resources", "资源"),
    "schema": ("Schema", "结构"),
    "field": ("Field", "字段"),
    "type": ("Type", "类型"),
    "constraints": ("Constraints", "约束"),
    "description": ("Description", "说明"),
    "preview": ("First rows", "前几行"),
    "validation": ("Validation in this release", "本版本的校验"),
    "checks.passed": ("expectations passed", "项检查通过"),
    "findings": ("Findings", "问题"),
    "no.findings": ("No findings: every structure check and expectation passed.",
                    "没有问题:全部结构检查和期望均通过。"),
    "history": ("Release history", "版本历史"),
    "changes": ("Changes", "变更"),
    "added": ("added", "新增"),
    "removed": ("removed", "删除"),
    "changed": ("changed", "修改"),
    "current": ("current", "当前"),
    "in.sql": ("This data in SQL", "用 SQL 查询这些数据"),
    "view.chart": ("Chart", "图表"),
    "view.table": ("Table", "表格"),
    "view.map": ("Map", "地图"),
    "views": ("Views", "视图"),
    "from": ("From", "起始年"),
    "to": ("To", "截止年"),
    "apply": ("Show", "显示"),
    "year": ("Year", "年份"),
    "value": ("Value", "数值"),
    "value.published": ("As published", "原始数值"),
    "source": ("Source", "来源"),
    "sources": ("Sources", "来源"),
    "publisher": ("Publisher", "发布者"),
    "reliability": ("Reliability", "可靠性"),
    "quote": ("Quote", "原文"),
    "note": ("Note", "注释"),
    "link": ("Link", "链接"),
    "preferred": ("preferred", "采用值"),
    "disagree": ("Sources disagree", "来源不一致"),
    "disagree.years": ("Years where sources disagree", "来源不一致的年份"),
    "all.values": ("All values for this year", "该年所有数值"),
    "point.hint": ("Choose a point (click, or focus it and use the arrow keys) to see its source here.",
                   "选择一个数据点(点击,或用键盘聚焦后按方向键)即可在此查看其来源。"),
    "chart.alt": ("Line chart of", "折线图:"),
    "chart.summary": ("from {first} to {last}: {n} points, lowest {min} ({min_year}), highest {max} ({max_year}).",
                      "{first}年至{last}年:{n}个数据点,最低 {min}({min_year}年),最高 {max}({max_year}年)。"),
    "download.shown": ("Download what is shown", "下载当前显示的数据"),
    "download.package": ("Download the whole package", "下载整个数据包"),
    "download.workbook": ("Excel workbook", "Excel 工作簿"),
    "download.stats": ("For statistics tools (every region, preferred values)", "统计软件格式(全部地区,首选值)"),
    "sdmx.structure": ("SDMX structure", "SDMX 结构定义"),
    "cite": ("Cite", "引用"),
    "cite.accessed": ("accessed", "访问日期"),
    "map.none": ("No value", "无数值"),
    "map.year": ("Map year", "地图年份"),
    "map.not.covered": ("Hong Kong, Macau and Taiwan are not covered by the source tables.",
                        "来源表格不包括香港、澳门和台湾。"),
    "map.legend": ("Colour shows the value: darker is higher.", "颜色表示数值:越深越高。"),
    "map.no.regions": ("This indicator has no regional values.", "该指标没有分地区数值。"),
    "provinces.title": ("Provinces", "分省数据"),
    "provinces.intro": ("Yearbook tables by province: choose an indicator and a year.",
                        "统计年鉴分地区表格:选择指标和年份。"),
    "sort": ("Sort", "排序"),
    "sql.title": ("SQL console", "SQL 查询"),
    "sql.intro": ("One read-only SELECT over this release's DuckDB database. Run it with the button or Ctrl+Enter.",
                  "对本版本 DuckDB 数据库执行一条只读 SELECT。点击按钮或按 Ctrl+Enter 运行。"),
    "sql.run": ("Run", "运行"),
    "sql.examples": ("Examples", "示例"),
    "sql.error": ("The query failed", "查询失败"),
    "sql.truncated": ("Truncated: only the first {n} rows are shown. The full export has them all.",
                      "结果已截断:只显示前 {n} 行。完整导出包含全部行。"),
    "sql.complete": ("All rows are shown.", "已显示全部行。"),
    "sql.rows": ("rows", "行"),
    "sql.max": ("at most {n} rows per answer", "每次最多返回 {n} 行"),
    "sql.full": ("full export", "完整导出"),
    "sql.tables": ("Tables", "数据表"),
    "ex.coverage": ("Coverage by year", "各年覆盖情况"),
    "ex.funds": ("Fund balances", "基金结余"),
    "ex.dibao": ("Dibao trends", "低保趋势"),
    "ex.provinces": ("Provinces ranked", "各省排名"),
    "ex.columns": ("Tables and their columns (also SHOW TABLES)", "表及其列(也可用 SHOW TABLES)"),
    "releases.title": ("Releases", "版本"),
    "feed": ("Feed of releases (Atom)", "版本订阅(Atom)"),
    "feed.hint": ("tells a feed reader or a program when a release comes out.", "在新版本发布时通知订阅器或程序。"),
    "release.title": ("Release", "版本"),
    "release.latest": ("This is the current release. Permanent link:", "这是当前版本。永久链接:"),
    "release.pinned": ("Pinned release: its data never change.", "固定版本:其数据永不改变。"),
    "release.notes": ("What changed", "变更内容"),
    "release.report": ("Validation report", "校验报告"),
    "release.manifest": ("Manifest", "文件清单"),
    "release.created": ("Created", "创建时间"),
    "release.previous": ("Previous release", "上一版本"),
    "release.first": ("The first release.", "首个版本。"),
    "file": ("File", "文件"),
    "bytes": ("Bytes", "字节"),
    "all.valid": ("Valid: every package passed.", "有效:全部数据包通过校验。"),
    "licence": ("Licence", "许可"),
    "json.ld": ("Machine-readable description", "机器可读的描述"),
}


# the canonical units of the indicator registry, as a Chinese reader writes them
UNITS_ZH = {"persons": "人", "households": "户", "yuan": "元", "yuan per person per month": "元/人·月",
            "yuan per person per year": "元/人·年", "percent": "%", "units": "个", "person-times": "人次"}


def unit(name: str | None, language: str | None = None) -> str:
    if not name:
        return ""
    return UNITS_ZH.get(name, name) if (language or lang()) == "zh" else name


def lang() -> str:
    value = request.args.get("lang", "en")
    return value if value in LANGS else "en"


def text(key: str, language: str | None = None) -> str:
    en, zh = TEXTS[key]
    return zh if (language or lang()) == "zh" else en


def texts_for_script(keys: list[str]) -> dict[str, str]:
    """The texts a page's script needs, in the page's language."""
    return {key: text(key) for key in keys}
