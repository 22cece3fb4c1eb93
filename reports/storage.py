"""Where report files live: STORAGES["reports"] (private S3, or a private folder under var/).

The model's FileField uses `reports_storage()`, a thin proxy that looks the backend up on every
call. Django evaluates a FileField's storage callable once, at import; the proxy keeps the
backend following the settings (e.g. tests that switch to a local S3-API server) instead of
freezing whatever was configured first.
"""

from django.conf import settings
from django.core.files.storage import Storage, storages
from django.utils.deconstruct import deconstructible

URL_EXPIRY_CAP_S = 300  # presigned download links never live longer than 5 minutes


def reports_backend() -> Storage:
    return storages["reports"]


def is_s3(backend: Storage | None = None) -> bool:
    from storages.backends.s3 import S3Storage

    return isinstance(backend or reports_backend(), S3Storage)


@deconstructible(path="reports.storage.ReportsStorage")
class ReportsStorage(Storage):
    """Every operation goes to the current storages["reports"] backend."""

    def __getattr__(self, name):  # anything not overridden below (bucket, location, ...)
        if name.startswith("_"):
            raise AttributeError(name)
        return getattr(reports_backend(), name)

    def open(self, name, mode="rb"):
        return reports_backend().open(name, mode)

    def save(self, name, content, max_length=None):
        return reports_backend().save(name, content, max_length=max_length)

    def generate_filename(self, filename):
        return reports_backend().generate_filename(filename)

    def get_valid_name(self, name):
        return reports_backend().get_valid_name(name)

    def get_available_name(self, name, max_length=None):
        return reports_backend().get_available_name(name, max_length=max_length)

    def delete(self, name):
        return reports_backend().delete(name)

    def exists(self, name):
        return reports_backend().exists(name)

    def listdir(self, path):
        return reports_backend().listdir(path)

    def size(self, name):
        return reports_backend().size(name)

    def path(self, name):
        return reports_backend().path(name)

    def url(self, name):
        raise NotImplementedError("Report files have no public URL: use reports.storage.download_url().")


_proxy = ReportsStorage()


def reports_storage() -> Storage:
    """The FileField's storage callable (kept by reference in migrations)."""
    return _proxy


def download_url(name: str, *, filename: str) -> str:
    """A presigned S3 URL for one object, expiring within 5 minutes, served as an attachment."""
    expiry = min(settings.REPORTS_URL_EXPIRY_S, URL_EXPIRY_CAP_S)
    return reports_backend().url(
        name,
        parameters={"ResponseContentDisposition": f'attachment; filename="{filename}"'},
        expire=expiry,
    )


def delete_prefix(prefix: str) -> int:
    """Delete every stored file under `prefix` (a school's `<schema>/`); returns how many."""
    if not prefix.endswith("/") or prefix.strip("/") in ("", "public"):
        raise ValueError(f"Refusing to delete the storage prefix {prefix!r}.")
    backend = reports_backend()
    if is_s3(backend):
        deleted = backend.bucket.objects.filter(Prefix=prefix).delete()
        return sum(len(batch.get("Deleted", [])) for batch in deleted)
    count = 0
    pending = [prefix.rstrip("/")]
    while pending:
        folder = pending.pop()
        if not backend.exists(folder):
            continue
        subfolders, files = backend.listdir(folder)
        pending.extend(f"{folder}/{sub}" for sub in subfolders)
        for name in files:
            backend.delete(f"{folder}/{name}")
            count += 1
    return count
