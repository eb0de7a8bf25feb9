"""Whether an uploaded file is a whole image or PDF: the check lives in ``core.uploads``
(shared by every upload of the product); re-exported here for the party's services."""

from civicgrid.core.uploads import CHECKS, is_whole, upload_is_whole

__all__ = ["CHECKS", "is_whole", "upload_is_whole"]
