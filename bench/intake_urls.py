"""The product's URLs plus, when ``CIVICGRID_BENCH=1``, a bare insert endpoint.

``POST /bench/insert`` reads the JSON body and inserts one row into ``bench_ping`` (a
table the benchmark creates): the floor of one HTTP request through Django, the
middleware and one database write, against which the full intake is compared.
"""

import json
import os

from django.db import connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.urls import path
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from civicgrid.urls import urlpatterns as product_urlpatterns


@csrf_exempt
@require_POST
def bare_insert(request: HttpRequest) -> HttpResponse:
    body = json.loads(request.body or b"{}")
    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO bench_ping (title, payload) VALUES (%s, %s) RETURNING id",
            [str(body.get("title", ""))[:200], request.body.decode()],
        )
        (row_id,) = cursor.fetchone()
    return JsonResponse({"id": row_id}, status=201)


urlpatterns = list(product_urlpatterns)
if os.environ.get("CIVICGRID_BENCH") == "1":
    urlpatterns.insert(0, path("bench/insert", bare_insert))
