"""The people who run the territory: demo logins (one per role) and the posts held by staff
(secretaries, grid leaders and workers, instructors, community police, legal liaisons)."""

import random
from dataclasses import dataclass
from datetime import date

from civicgrid.accounts import services as accounts
from civicgrid.accounts.models import AdminRole, Role, User
from civicgrid.demo import names
from civicgrid.demo.divisions import COUNTIES
from civicgrid.demo.identity import mobile, protect
from civicgrid.demo.plan import Plan, PNode
from civicgrid.demo.sink import Sink
from civicgrid.territory.models import GridType, Node, NodeKind, Post

DEMO_PASSWORD = "demo12345"  # noqa: S105 - the published password of the demo logins


@dataclass(frozen=True)
class Login:
    username: str
    full_name: str
    title: str
    admin_role: str = ""
    role: str = ""
    level: str = ""  # the node kind the role is bound to


LOGINS = (
    Login("sysadmin", "孙建国", "系统管理员", admin_role=AdminRole.SYSTEM),
    Login("secadmin", "钱慧敏", "安全管理员", admin_role=AdminRole.SECURITY),
    Login("auditor", "何立新", "审计管理员", admin_role=AdminRole.AUDIT),
    Login("operator", "周静", "民声总台话务员", role=Role.OPERATOR, level=NodeKind.DISTRICT),
    Login("leader", "陈刚", "区委副书记", role=Role.LEADER, level=NodeKind.DISTRICT),
    Login("handler", "刘洋", "街道承办人", role=Role.HANDLER, level=NodeKind.SUBDISTRICT),
    Login("party", "赵红", "街道党建办党建专干", role=Role.PARTY_OFFICER, level=NodeKind.SUBDISTRICT),
    Login("community", "李明", "社区党委书记", role=Role.COMMUNITY_WORKER, level=NodeKind.COMMUNITY),
    Login("gridworker", "王丽", "专职网格员", role=Role.GRID_WORKER, level=NodeKind.GRID),
)
LOGIN_POSTS = {"community": Post.COMMUNITY_SECRETARY, "gridworker": Post.GRID_WORKER_FULLTIME}


def login_nodes(plan: Plan) -> dict[str, PNode]:
    """The first district, its first subdistrict, community and comprehensive grid."""
    district = plan.of_kind(NodeKind.DISTRICT)[0]
    sub = next(n for n in district.children if n.kind == NodeKind.SUBDISTRICT)
    community = next(n for n in sub.children if n.kind == NodeKind.COMMUNITY)
    grid = next(n for n in community.children if n.grid_type == GridType.COMPREHENSIVE)
    return {
        NodeKind.DISTRICT: district,
        NodeKind.SUBDISTRICT: sub,
        NodeKind.COMMUNITY: community,
        NodeKind.GRID: grid,
    }


def create_logins(plan: Plan) -> dict[str, User]:
    """Every demo login through ``accounts.services``, as the system."""
    nodes = login_nodes(plan)
    users = {}
    for login in LOGINS:
        user = accounts.user_create(
            actor=None,
            system=True,
            username=login.username,
            password=DEMO_PASSWORD,
            full_name=login.full_name,
            title=login.title,
            admin_role=login.admin_role,
        )
        if login.role:
            node = Node.objects.get(code=nodes[login.level].code)
            accounts.role_grant(actor=None, system=True, user=user, role=login.role, node=node)
        users[login.username] = user
    return users


class StaffPosts:
    def __init__(self, sink: Sink, rng: random.Random, reference: date) -> None:
        self.sink, self.rng, self.reference = sink, rng, reference
        self.count = 0
        self.held_by_login: dict[tuple[str, str], tuple[str, int]] = {}

    def bind_logins(self, plan: Plan, users: dict[str, User]) -> None:
        nodes = login_nodes(plan)
        for login in LOGINS:
            if login.username in LOGIN_POSTS:
                node = nodes[login.level]
                user = users[login.username]
                self.held_by_login[(node.code, LOGIN_POSTS[login.username])] = (user.full_name, user.pk)

    def create(self, plan: Plan) -> None:
        for sub in plan.of_kind(NodeKind.SUBDISTRICT):
            self._hold(sub, Post.CHIEF_GRID_LEADER, f"{sub.name}党工委")
        for community in plan.of_kind(NodeKind.COMMUNITY):
            self._community(community)
        for grid in plan.of_kind(NodeKind.GRID):
            office = (
                grid.name.removesuffix("专属网格") + "管委会" if grid.grid_type == GridType.DEDICATED else ""
            )
            committee = office or _committee(grid.parent)
            self._hold(grid, Post.GRID_LEADER, committee)
            self._hold(grid, Post.GRID_WORKER_FULLTIME, committee)

    def _community(self, community: PNode) -> None:
        sub = community.parent
        assert sub is not None
        district = community.ancestor(NodeKind.DISTRICT)
        office = sub.name + ("办事处" if sub.name.endswith("街道") else "人民政府")
        station = f"{district.name}公安分局{sub.name.removesuffix('街道').removesuffix('镇')}派出所"
        prefecture = COUNTIES[district.code[:6]][1].removesuffix("市")
        self._hold(community, Post.COMMUNITY_SECRETARY, _committee(community))
        self._hold(community, Post.GRID_INSTRUCTOR, office)
        self._hold(community, Post.COMMUNITY_POLICE, station)
        self._hold(community, Post.LEGAL_JUDGE, f"{district.name}人民法院")
        self._hold(community, Post.LEGAL_PROSECUTOR, f"{district.name}人民检察院")
        self._hold(community, Post.LEGAL_POLICE, station)
        firm = names.firm_name(self.rng, prefecture).removesuffix("有限公司")
        self._hold(community, Post.LEGAL_LAWYER, f"{firm[: len(prefecture) + 2]}律师事务所")

    def _hold(self, node: PNode, post: str, organisation: str) -> None:
        rng = self.rng
        start = date.fromordinal(rng.randint(date(2018, 1, 1).toordinal(), self.reference.toordinal() - 30))
        held = self.held_by_login.get((node.code, post))
        name = held[0] if held else names.person_name(rng, rng.random() < 0.5, rng.randint(1965, 1998))
        self.sink.position(
            node,
            post,
            name,
            start,
            phone=protect(mobile(rng)),
            organisation=organisation,
            user_id=held[1] if held else None,
        )
        self.count += 1


def _committee(community: PNode | None) -> str:
    if community is None:
        return ""
    return community.name + ("村民委员会" if community.name.endswith("村") else "居民委员会")
