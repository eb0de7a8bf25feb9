"""The district departments and public-service enterprises installed by default.

The default catalogue names its responsible units by these codes; ``units.
departments_install_default`` creates them for a district (names prefixed with the
district's or the city's name).
"""

from dataclasses import dataclass

from civicgrid.requests.constants import UnitKind


@dataclass(frozen=True)
class UnitSpec:
    code: str
    suffix: str  # appended to the district (departments) or city (enterprises) name
    kind: str
    short: str  # how people call it


CHENGGUAN = "CGJ"
ZHUJIAN = "ZJJ"
MARKET = "SCJGJ"
TRANSPORT = "JTYSJ"
ENVIRONMENT = "STHJJ"
HEALTH = "WJJ"
EDUCATION = "JYJ"
LABOUR = "RSJ"
POLICE = "GAFJ"
WATER = "GS"
POWER = "GD"
GAS = "RQ"
HEATING = "RL"
TELECOM = "TX"

DEFAULT_DEPARTMENTS: tuple[UnitSpec, ...] = (
    UnitSpec(CHENGGUAN, "城市管理局", UnitKind.DEPARTMENT, "城管局"),
    UnitSpec(ZHUJIAN, "住房和城乡建设局", UnitKind.DEPARTMENT, "住建局"),
    UnitSpec(MARKET, "市场监督管理局", UnitKind.DEPARTMENT, "市场监管局"),
    UnitSpec(TRANSPORT, "交通运输局", UnitKind.DEPARTMENT, "交通运输局"),
    UnitSpec(ENVIRONMENT, "生态环境局", UnitKind.DEPARTMENT, "生态环境局"),
    UnitSpec(HEALTH, "卫生健康局", UnitKind.DEPARTMENT, "卫健局"),
    UnitSpec(EDUCATION, "教育局", UnitKind.DEPARTMENT, "教育局"),
    UnitSpec(LABOUR, "人力资源和社会保障局", UnitKind.DEPARTMENT, "人社局"),
    UnitSpec(POLICE, "公安分局", UnitKind.DEPARTMENT, "公安分局"),
    UnitSpec(WATER, "供水有限公司", UnitKind.ENTERPRISE, "水务公司"),
    UnitSpec(POWER, "供电公司", UnitKind.ENTERPRISE, "供电公司"),
    UnitSpec(GAS, "燃气有限公司", UnitKind.ENTERPRISE, "燃气公司"),
    UnitSpec(HEATING, "热力有限公司", UnitKind.ENTERPRISE, "热力公司"),
    UnitSpec(TELECOM, "通信运营商联合服务中心", UnitKind.ENTERPRISE, "通信公司"),
)

DEFAULT_UNIT_CODES = frozenset(spec.code for spec in DEFAULT_DEPARTMENTS)
