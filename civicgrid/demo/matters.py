"""The grid matters list (网格服务管理事项清单) of the demo city: what enters every grid."""

from civicgrid.territory.models import GridMatter, MatterDomain, Node

# (code, name, domain, department, frequency, description)
MATTERS = (
    ("GM001", "党员联系服务群众", MatterDomain.PARTY_BUILDING, "区委组织部", "每月",
     "网格党支部组织党员中心户联系服务网格内群众，收集意见建议，帮办实事。"),
    ("GM002", "矛盾纠纷排查化解", MatterDomain.PUBLIC_ORDER, "区委政法委", "每周",
     "排查邻里、家庭、物业等矛盾纠纷，能当场化解的当场化解，不能化解的及时上报。"),
    ("GM003", "实有人口信息采集更新", MatterDomain.PUBLIC_ORDER, "区委政法委", "随时",
     "对新迁入、迁出、出租房屋人员及时登记核实，保持人房信息准确。"),
    ("GM004", "防范电信网络诈骗宣传", MatterDomain.PUBLIC_ORDER, "区公安分局", "每月",
     "入户宣传反诈知识，协助推广国家反诈中心App安装注册。"),
    ("GM005", "特殊困难群体走访关爱", MatterDomain.CIVIL_AFFAIRS, "区民政局", "每月",
     "走访独居老人、残疾人、困难党员等重点关爱人群，发现困难及时报告。"),
    ("GM006", "低保对象动态核查", MatterDomain.CIVIL_AFFAIRS, "区民政局", "每季度",
     "协助核查低保、特困对象家庭收入和人口变化情况。"),
    ("GM007", "市容环境卫生巡查", MatterDomain.URBAN_MANAGEMENT, "区城市管理局", "每日",
     "巡查暴露垃圾、乱堆乱放、占道经营、乱张贴等问题，能整改的督促整改。"),
    ("GM008", "违法建设发现报告", MatterDomain.URBAN_MANAGEMENT, "区城市管理局", "每日",
     "发现在建违法建设第一时间劝阻并上报。"),
    ("GM009", "消防安全隐患排查", MatterDomain.EMERGENCY, "区应急管理局", "每月",
     "排查楼道堆物、电动自行车违规充电、消防通道堵塞等隐患。"),
    ("GM010", "食品安全和经营秩序巡查", MatterDomain.MARKET, "区市场监督管理局", "每月",
     "巡查小餐饮、小作坊、小食杂店证照公示和经营秩序。"),
    ("GM011", "重点人群健康随访", MatterDomain.HEALTH, "区卫生健康委员会", "每季度",
     "协助家庭医生对高龄老人、慢性病患者开展随访。"),
)  # fmt: skip


def create_matters(applies_to: list[Node]) -> int:
    """Create the list (plain ORM: a handful of rows) applied to the given nodes."""
    for code, name, domain, department, frequency, description in MATTERS:
        matter = GridMatter.objects.create(
            code=code,
            name=name,
            domain=domain,
            department=department,
            frequency=frequency,
            description=description,
        )
        matter.applies_to.set(applies_to)
    return len(MATTERS)
