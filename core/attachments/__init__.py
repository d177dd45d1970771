"""附件: files kept once per content (SHA-256) and linked to the records of every area — material
files, photos of findings, signed letters.

files.py: where the files live (the data folder, or inside the shared ledger's database);
records.py: the rows linking a file to a record, captions, checks.
"""

from core.attachments.files import FolderFiles, ServerFiles, file_sha256
from core.attachments.records import (IMAGE_TYPES, PHOTO_CAPTION, add_attachment, attachments_root, check_image,
                                      check_size, export_copy, files_kept_only_on_success, get_attachment,
                                      is_image_name, list_attachments, photo_caption, photo_date, photo_details,
                                      remove_attachment, store_file, stored_path, unreferenced_files, update_caption,
                                      verify)

__all__ = ["FolderFiles", "ServerFiles", "file_sha256", "IMAGE_TYPES", "PHOTO_CAPTION", "add_attachment",
           "attachments_root", "check_image", "check_size", "export_copy", "files_kept_only_on_success",
           "get_attachment", "is_image_name", "list_attachments", "photo_caption", "photo_date", "photo_details",
           "remove_attachment", "store_file", "stored_path", "unreferenced_files", "update_caption", "verify"]
