"""CubQueue's Python client: `from cubqueue.client import CubQueueClient`."""

from .client import CubQueueClient
from .errors import CubQueueApiError, CubQueueConnectionError, CubQueueError, CubQueueFileExistsError, CubQueueTimeoutError

__all__ = ["CubQueueClient", "CubQueueError", "CubQueueApiError", "CubQueueConnectionError", "CubQueueTimeoutError", "CubQueueFileExistsError"]
__version__ = "0.1.0"
