"""socketlab: Socket.dev (and Snyk) supply-chain posture as typed pandas DataFrames.

import socketlab as sl
sock = sl.SocketClient()                  # token from SOCKET_API_TOKEN (or token=...)
df = sock.snapshots("my-org", date="2026-11-01", range="-30d")
"""

import importlib
import logging
from typing import Any

from socketlab._client import RetryPolicy
from socketlab._connect import DataSource, data_source, snyk_client_or_sandbox, socket_client_or_sandbox
from socketlab._errors import (
    APIError,
    BadRequestError,
    CacheWarning,
    ConfigurationError,
    DataWarning,
    ErrorObject,
    ExportFailedError,
    ExportLimitError,
    ExportTimeoutError,
    ForbiddenError,
    FutureDateWarning,
    InvalidParameterError,
    NotFoundError,
    PaginationError,
    QuotaExceededError,
    QuotaWarning,
    RateLimitError,
    ServerError,
    SnapshotTimeoutError,
    SocketlabError,
    SunsetWarning,
    TransportError,
    UnauthorizedError,
    UnexpectedResponseError,
)
from socketlab._examples import copy_notebooks, example_notebooks
from socketlab._frames import explode_coordinates, explode_problems
from socketlab._jobs import on_demand_snapshot
from socketlab._params import DEFAULT_SNYK_VERSION, SNAPSHOT_STATUSES, TERMINAL_STATUSES
from socketlab._schema import EXPORT_COLUMNS
from socketlab._scope import SnykScope, snyk_scope
from socketlab._snyk import DEFAULT_SNYK_BASE_URL, DEFAULT_SNYK_RATE_LIMIT, SnykClient
from socketlab._socket import DEFAULT_SOCKET_BASE_URL, Quota, SnapshotJob, SocketClient

__version__ = "0.1.0"

# A library logs, it does not print: retries and requests reach the user's handlers only.
logging.getLogger("socketlab").addHandler(logging.NullHandler())

__all__ = [
    "DEFAULT_SNYK_BASE_URL",
    "DEFAULT_SNYK_RATE_LIMIT",
    "DEFAULT_SNYK_VERSION",
    "DEFAULT_SOCKET_BASE_URL",
    "EXPORT_COLUMNS",
    "SNAPSHOT_STATUSES",
    "TERMINAL_STATUSES",
    "APIError",
    "BadRequestError",
    "CacheWarning",
    "ConfigurationError",
    "DataSource",
    "DataWarning",
    "ErrorObject",
    "ExportFailedError",
    "ExportLimitError",
    "ExportTimeoutError",
    "ForbiddenError",
    "FutureDateWarning",
    "InvalidParameterError",
    "NotFoundError",
    "PaginationError",
    "Quota",
    "QuotaExceededError",
    "QuotaWarning",
    "RateLimitError",
    "RetryPolicy",
    "ServerError",
    "SnapshotJob",
    "SnapshotTimeoutError",
    "SnykClient",
    "SnykScope",
    "SocketClient",
    "SocketlabError",
    "SunsetWarning",
    "TransportError",
    "UnauthorizedError",
    "UnexpectedResponseError",
    "__version__",
    "analysis",
    "charts",
    "copy_notebooks",
    "data_source",
    "dataset",
    "display",
    "example_notebooks",
    "explode_coordinates",
    "explode_problems",
    "history",
    "on_demand_snapshot",
    "snyk_client_or_sandbox",
    "snyk_scope",
    "socket_client_or_sandbox",
]


def __getattr__(name: str) -> Any:
    """analysis, charts, display, history and sandbox load on first use: Altair stays out of a plain import."""
    if name in ("analysis", "charts", "dataset", "display", "history", "report", "sandbox"):
        return importlib.import_module(f"socketlab.{name}")
    raise AttributeError(f"module 'socketlab' has no attribute {name!r}")
