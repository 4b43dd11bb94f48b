"""Names, titles and descriptions of the packages (English and Chinese)."""

from __future__ import annotations

INDICATOR_PACKAGES = [
    "social-insurance-coverage", "social-insurance-funds", "social-assistance", "benefit-levels",
    "social-insurance-by-province", "social-assistance-by-province",
]
REGIONAL_PACKAGES = ["social-insurance-by-province", "social-assistance-by-province"]
ALL_PACKAGES = [*INDICATOR_PACKAGES, "policy-milestones"]

CATALOG: dict[str, dict] = {
    "social-insurance-coverage": {
        "title": "China social insurance coverage, 1989-2024",
        "title_zh": "中国社会保险参保情况(1989-2024年)",
        "description": "Insured persons and beneficiaries by scheme (basic pension, basic medical, unemployment, work "
                       "injury, maternity) at national level: the long series of the NBS database (1989-2022, as "
                       "copied by third parties) beside the bulletins, news reports and articles, each figure with "
                       "the verbatim row or sentence it comes from.",
        "description_zh": "全国各项社会保险(基本养老、基本医疗、失业、工伤、生育)参保人数与享受待遇人数:国家统计局数据库的长序列"
                          "(1989-2022年,第三方抓取副本)与公报、新闻报道和文章并列,每个数字附来源原文。",
        "keywords": ["China", "social insurance", "pension", "medical insurance", "coverage", "社会保险", "参保人数"],
    },
    "social-insurance-funds": {
        "title": "China social insurance funds: revenue, expenditure and balance, 1989-2024",
        "title_zh": "中国社会保险基金收支与结存(1989-2024年)",
        "description": "Revenue, expenditure and accumulated balance of the pension, medical, unemployment, work "
                       "injury and maternity funds and of the fund totals, since the schemes began (the NBS database, "
                       "1989-2021), with verbatim quotes.",
        "description_zh": "养老、医疗、失业、工伤、生育保险基金及各项基金合计的收入、支出和累计结存,自制度建立以来(国家统计局数据库,"
                          "1989-2021年),附来源原文。",
        "keywords": ["China", "social insurance fund", "revenue", "expenditure", "balance", "社会保险基金"],
    },
    "social-assistance": {
        "title": "China social assistance: dibao, tekun and wubao, 1996-2024",
        "title_zh": "中国社会救助:低保、特困与五保(1996-2024年)",
        "description": "Minimum living guarantee (dibao) recipients, households, average standards (all dibao "
                       "standards, including the seed article's, live in this package) and fiscal spending; persons "
                       "in extreme poverty (tekun) and rural five-guarantee (wubao) support.",
        "description_zh": "城乡最低生活保障对象人数、户数、平均标准(全部低保标准均在本数据包)及财政支出;特困人员与农村五保供养人数。",
        "keywords": ["China", "social assistance", "dibao", "minimum living guarantee", "低保", "特困", "五保"],
    },
    "benefit-levels": {
        "title": "China social security benefit levels",
        "title_zh": "中国社会保障待遇水平",
        "description": "Average monthly pensions, average unemployment benefit and in-policy hospitalisation "
                       "reimbursement ratios. Dibao standards are published in social-assistance, not here.",
        "description_zh": "月人均养老金、失业保险金月人均水平、政策范围内住院费用报销比例。低保标准见 social-assistance 数据包。",
        "keywords": ["China", "pension level", "unemployment benefit", "reimbursement ratio", "待遇水平"],
    },
    "social-insurance-by-province": {
        "title": "China social insurance by province: yearbook tables and the NBS database, 1998-2024",
        "title_zh": "中国分地区社会保险统计:统计年鉴表格与国家统计局数据库(1998-2024年)",
        "description": "Every value with a column of twenty by-region tables (China Statistical Yearbooks 1999-2012, the "
                       "Second National Agricultural Census and a host matching the China Labour Statistical Yearbook "
                       "2011; rows whose label was lost are placed by the table's fixed order of regions), the 2024 "
                       "pension tables of the China Statistical Yearbook 2025 (a third party's transcription) and the "
                       "Fujian and Qinghai yearbook series, the NBS database's by-province pension and employee "
                       "medical insurance counts of 2007-2016 (as exported by a third party), with the region as an "
                       "ISO 3166-2:CN code and the table row as written as the quote.",
        "description_zh": "二十张分地区表格(1999-2012年《中国统计年鉴》、第二次全国农业普查、与《中国劳动统计年鉴2011》一致的网站;"
                          "地区名缺失的行按表格固定的地区顺序确定)中有列名的全部数值、《中国统计年鉴2025》2024年分地区养老保险表"
                          "(第三方转录)、福建、青海统计年鉴序列及国家统计局数据库2007-2016年分省养老保险与职工医疗保险参保人数"
                          "(第三方导出);地区以 ISO 3166-2:CN 代码表示,引文为表格原行。",
        "keywords": ["China", "province", "statistical yearbook", "social insurance", "分地区", "统计年鉴"],
    },
    "social-assistance-by-province": {
        "title": "China social assistance by province: dibao standards and Fujian relief, 2010-2021",
        "title_zh": "中国分地区社会救助:低保标准与福建社会救济(2010-2021年)",
        "description": "Rural dibao standards of the 31 provinces in the third quarter of 2015 (average, sum of the "
                       "county standards and number of counties; an unofficial host) and Fujian's dibao recipients "
                       "(with women, elderly, minors and persons with disabilities), households and planned funds in "
                       "2010, 2015, 2020 and 2021 (Fujian Statistical Yearbook 2022; its tekun rows have no year that "
                       "can be told and are listed, not published), each value with its table row as the quote.",
        "description_zh": "2015年第三季度31个省份农村低保标准(平均标准、区县合计数、区县数量;非官方网站转载)及福建省2010、2015、"
                          "2020、2021年低保人数、户数与计划支出(《福建统计年鉴2022》;特困供养各行无法确定年份,列出而不发布),"
                          "引文为表格原行。",
        "keywords": ["China", "province", "dibao", "minimum living guarantee", "低保标准", "分地区", "福建"],
    },
    "policy-milestones": {
        "title": "Milestones of China's social security system, 1931-2020",
        "title_zh": "中国社会保障制度大事记(1931-2020年)",
        "description": "Dated milestones named in the seed article by Zheng Gongcheng, each with its sentence.",
        "description_zh": "郑功成文章中提到的社会保障制度发展大事,每条附原文。",
        "keywords": ["China", "social security", "history", "policy", "大事记"],
    },
}

LICENSE = {
    "name": "CC-BY-4.0",
    "title": "Creative Commons Attribution 4.0 International",
    "path": "https://creativecommons.org/licenses/by/4.0/",
}
SOURCES_TERMS = (
    "The licence covers this compilation (selection, structure, registries, notes). The underlying figures are "
    "published by Chinese government bodies (NBS, MOHRSS, NHSA, MCA) in official bulletins and yearbooks, and "
    "quoted from the reposts and reports listed in the sources resource; their publishers' terms apply to them."
)
CONTRIBUTORS = [{"title": "socsec project", "roles": ["creator"]}]
VERSION = "1.0.0"
