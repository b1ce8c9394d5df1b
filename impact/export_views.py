"""Downloads of the officials' reports: /impact/export/<table>.<fmt>?region=&year=&by=.

Who may download what is `impact.access.report_region`'s answer, as for the report pages:
officials their own region and everything inside it, the platform operator everything. A table,
format, breakdown or year that does not exist is a 400 with the reason; never a 500."""

from django.http import FileResponse, Http404, HttpResponse, HttpResponseBadRequest, StreamingHttpResponse
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from impact.access import official_required, report_region
from impact.exports import (
    FORMATS,
    BadExport,
    breakdown_from,
    check_table,
    csv_chunks,
    export_filename,
    export_table,
    headline_pdf,
    region_code_from,
    xlsx_file,
    year_from,
)
from shop.core.replicas import reading_reports
from shop.models import Division


# Read-only, and a city's export takes a while: `official_required` keeps it outside the request's
# transaction, as the pages. The CSV is read while it streams, after this function has returned.
@official_required
@require_GET
def export(request, table: str, fmt: str):
    try:
        check_table(table, fmt)
        code = region_code_from(request.GET.get("region"))
        year = year_from(request.GET.get("year"))
    except BadExport as error:
        return HttpResponseBadRequest(str(error), content_type="text/plain; charset=utf-8")
    try:
        region = report_region(request.user, code)
    except Division.DoesNotExist:
        raise Http404(_("No region has this code.")) from None
    try:
        by = breakdown_from(request.GET.get("by"), region=region)
    except BadExport as error:
        return HttpResponseBadRequest(str(error), content_type="text/plain; charset=utf-8")

    filename = export_filename(region=region, year=year, table=table, fmt=fmt, by=by)
    if fmt == "pdf":
        response = HttpResponse(headline_pdf(region=region, year=year), content_type=FORMATS["pdf"])
        response["Content-Disposition"] = f'attachment; filename="{filename}"'
    elif fmt == "xlsx":
        response = FileResponse(
            xlsx_file(export_table(table=table, region=region, year=year, by=by)),
            as_attachment=True, filename=filename, content_type=FORMATS["xlsx"],
        )
    else:
        rows = export_table(table=table, region=region, year=year, by=by)
        response = StreamingHttpResponse(_in_language(csv_chunks(rows)), content_type=FORMATS["csv"])
        response["Content-Disposition"] = f'attachment; filename="{filename}"'
    # Households' records, even masked, are not for shared caches.
    response["Cache-Control"] = "private, no-store"
    return response


def _in_language(chunks):
    """The CSV is written while it streams, after the view has returned: keep the request's
    language for the labels of its rows (poverty causes, yes and no), and its reads on the
    reports' replica."""
    language = translation.get_language()

    def chunks_in_language():
        with translation.override(language), reading_reports():
            yield from chunks

    return chunks_in_language()
