class Verb:
    NODE_CREATED = "territory.node_created"
    NODE_UPDATED = "territory.node_updated"
    NODE_MOVED = "territory.node_moved"
    NODE_DEACTIVATED = "territory.node_deactivated"
    GRID_MATTER_CREATED = "territory.grid_matter_created"
    GRID_MATTER_UPDATED = "territory.grid_matter_updated"
    POSITION_CREATED = "territory.position_created"
    POSITION_ENDED = "territory.position_ended"


# Letters used in generated codes below the community level (stable once given).
CODE_LETTERS = {
    "residents_group": "Z",
    "grid": "W",
    "compound": "X",
    "building": "B",
    "entrance": "U",
    "household_group": "H",
    "responsibility_area": "R",
}
