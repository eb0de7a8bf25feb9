"""Pages of points: the community's pages (``staff``) and the resident's H5 pages (``resident``)."""
