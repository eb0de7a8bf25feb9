"""Pages of grid work: the grid worker's H5 (``mobile``) and the community's pages
(``office``: coverage, patrol logs, findings; ``care``; ``campaigns``; ``proposals``)."""
