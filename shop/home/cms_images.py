"""Pictures uploaded to the CMS keep no metadata: Wagtail stores originals as uploaded, public
under /media/original_images/, and a phone's photo records where it was taken (EXIF GPS).

Every save of Wagtail's image model that brings a new file (the admin's add, multiple-upload and
edit views, the chooser's upload, or code) re-encodes it first, without EXIF, XMP or comments
(`catalogue.images.metadata_stripped`). Connected when `shop.home.models` is imported."""

import os

from django.core.files.base import ContentFile
from django.db.models.signals import pre_save
from wagtail.images import get_image_model_string

from catalogue.images import metadata_stripped


def _brings_a_new_file(image, update_fields) -> bool:
    if not image.file or (update_fields is not None and "file" not in update_fields):
        return False
    if not image.file._committed or image.pk is None:
        # An upload not yet written, or one a view wrote to storage before the first save.
        return True
    stored = type(image).objects.filter(pk=image.pk).values_list("file", flat=True).first()
    return stored != image.file.name


def image_metadata_strip(sender, instance, raw=False, update_fields=None, **kwargs):
    if raw or not _brings_a_new_file(instance, update_fields):
        return
    file = instance.file
    file.open("rb")
    try:
        data = file.read()
    finally:
        # An upload not yet written is written after this, from where it stands.
        if file._committed:
            file.close()
        else:
            file.seek(0)
    stripped = metadata_stripped(data)
    if stripped is None:
        return
    written = instance.file.name if instance.file._committed else None
    storage = instance.file.storage
    # Saved under the upload's name (Wagtail's upload_to puts it in original_images/); the
    # width and height follow the new file, which may have been turned upright.
    name = os.path.basename(instance.file.name)
    instance.file.save(name, ContentFile(stripped, name=name), save=False)
    if written and written != instance.file.name:
        storage.delete(written)  # the copy with the metadata
    # Wagtail set these from the file as uploaded.
    instance._set_image_file_metadata()


pre_save.connect(image_metadata_strip, sender=get_image_model_string(), dispatch_uid="cms-image-metadata-strip")
