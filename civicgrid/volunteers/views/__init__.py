"""Pages of volunteer service: staff pages (``staff``, ``staff_orders``), the residents' H5
pages (``h5``) and the public board (``board``)."""
