"""Pages of party building: one module per part (overview, organisations, reporting,
committees, alliances and the three lists, import, the member's H5 pages)."""
