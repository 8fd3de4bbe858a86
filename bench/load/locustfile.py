"""
Load test for GAS with Locust (the original GAS was load-tested with Locust too).

Each simulated user signs in once through the dev sign-in form (CSRF token and all, as a
browser does), fills in the profile, makes a personal API token, and then loops over the whole
job flow through the JSON API with that bearer token:

  GET /annotate (the signed upload policy) -> POST the file to the signed upload endpoint
  -> POST /annotations -> poll GET /annotations/{id} until COMPLETED -> GET the result and the
  log -> GET /annotations (the job list)

Besides the HTTP requests, one synthetic entry "JOB submit->COMPLETED" records how long each job
took from its POST to the first poll that saw it finished (its failure: the job FAILED or stuck).

Run by bench/load.ts, which starts GAS and prints the per-endpoint table; by hand:

  locust -f bench/load/locustfile.py --headless -u 20 -r 5 -t 60s --host http://127.0.0.1:3000

Needs a GAS with dev sign-in (no OIDC_ISSUER, NODE_ENV not production) and the sign-in and
upload rate limits off (RATE_LIMIT_SIGNINS_PER_MINUTE=0, RATE_LIMIT_UPLOADS_PER_MINUTE=0): every
simulated user comes from one address. Environment: LOAD_VCF (input file, default the demo
test.vcf), LOAD_POLL_S (poll interval, 0.25), LOAD_JOB_TIMEOUT_S (120).
"""

import itertools
import os
import re
import time
import uuid
from pathlib import Path
from urllib.parse import parse_qs, urljoin, urlparse

from locust import HttpUser, between, events, task
from locust.exception import StopUser

HERE = Path(__file__).resolve().parent
VCF_PATH = Path(os.environ.get("LOAD_VCF", HERE.parent.parent / "data" / "demo" / "vcf" / "test.vcf"))
VCF = VCF_PATH.read_bytes()
POLL_S = float(os.environ.get("LOAD_POLL_S", "0.25"))
JOB_TIMEOUT_S = float(os.environ.get("LOAD_JOB_TIMEOUT_S", "120"))
CSRF = re.compile(r'name="_csrf" value="([^"]+)"')
RUN = uuid.uuid4().hex[:8]
_numbers = itertools.count(1)


def csrf_token(html: str) -> str:
    m = CSRF.search(html)
    if not m:
        raise ValueError("no CSRF token on the page")
    return m.group(1)


class GasUser(HttpUser):
    wait_time = between(0.5, 2)

    def on_start(self):
        origin = self.host.rstrip("/")
        # hono/csrf checks Origin on form posts, as a browser sends it.
        self.client.headers["origin"] = origin
        self.email = f"load-{RUN}-{next(_numbers)}@example.org"
        try:
            self.sign_in()
        except Exception as err:  # noqa: BLE001 - a failed sign-in ends this user, counted below
            events.request.fire(request_type="FLOW", name="sign-in", response_time=0, response_length=0, exception=err, context={})
            raise StopUser() from err

    def loopback_cookies(self):
        """GAS marks its cookies Secure. Browsers treat http://127.0.0.1 as a secure origin and send
        them back; Python's cookie jar does not (and requests copies the jar per request, so a
        cookie policy would not stick): clear the flag on what the jar holds."""
        for cookie in self.client.cookies:
            cookie.secure = False

    def sign_in(self):
        start = self.client.get("/login?next=/annotations", allow_redirects=False, name="/login")
        self.loopback_cookies()
        form_url = start.headers["location"]
        state = parse_qs(urlparse(form_url).query)["state"][0]
        page = self.client.get(form_url, headers={"accept": "text/html"}, name="/login/dev (form)")
        self.loopback_cookies()
        res = self.client.post(
            "/login/dev",
            data={"_csrf": csrf_token(page.text), "state": state, "email": self.email, "name": "Load User"},
            allow_redirects=False,
            name="/login/dev",
        )
        self.loopback_cookies()
        if res.status_code != 303:
            raise RuntimeError(f"sign-in: {res.status_code} {res.text[:200]}")
        if res.headers.get("location", "").startswith("/profile"):
            profile = self.client.get("/profile", headers={"accept": "text/html"}, name="/profile")
            self.loopback_cookies()
            saved = self.client.post(
                "/profile",
                data={"_csrf": csrf_token(profile.text), "name": "Load User", "email": self.email, "institution": "Load Institute"},
                allow_redirects=False,
                name="/profile (save)",
            )
            if saved.status_code != 303:
                raise RuntimeError(f"profile: {saved.status_code} {saved.text[:200]}")
            self.loopback_cookies()
        tok = self.client.post("/account/tokens", json={"name": "load"}, headers={"accept": "application/json"}, name="/account/tokens")
        tok.raise_for_status()
        # From here on the JSON API with the bearer token, as an API client would.
        self.client.headers["authorization"] = f"Bearer {tok.json()['token']}"
        self.client.headers["accept"] = "application/json"

    @task
    def annotate_one_file(self):
        # 1. The signed upload policy.
        with self.client.get("/annotate", name="/annotate (policy)", catch_response=True) as r:
            if r.status_code != 200:
                r.failure(f"{r.status_code}: {r.text[:200]}")
                return
            form = r.json()
        # 2. The file straight to the signed upload endpoint (S3 on AWS); fields first, file last.
        with self.client.post(
            urljoin(self.host, form["url"]),
            data=form["fields"],
            files={"file": ("load.vcf", VCF, "text/plain")},
            allow_redirects=False,
            name="upload (signed POST)",
            catch_response=True,
        ) as r:
            if r.status_code != 303:
                r.failure(f"{r.status_code}: {r.text[:200]}")
                return
            key = parse_qs(urlparse(r.headers["location"]).query)["key"][0]
        # 3. The job.
        submitted = time.monotonic()
        with self.client.post("/annotations", json={"input_file": key}, name="/annotations (submit)", catch_response=True) as r:
            if r.status_code != 201:
                r.failure(f"{r.status_code}: {r.text[:200]}")
                return
            job_id = r.json()["job_id"]
        # 4. Poll until it is finished.
        job = self.wait_for(job_id, submitted)
        if job is None:
            return
        # 5. Download the result and the log.
        for url, name in ((job["result_url"], "/annotations/[id]/result"), (job["log_url"], "/annotations/[id]/log")):
            with self.client.get(url, name=name, headers={"accept": "*/*"}, catch_response=True) as r:
                if r.status_code != 200 or not r.content:
                    r.failure(f"{r.status_code}, {len(r.content)} bytes")
        # 6. The job list.
        with self.client.get("/annotations", name="/annotations (list)", catch_response=True) as r:
            if r.status_code != 200 or not any(j["job_id"] == job_id for j in r.json()["jobs"]):
                r.failure(f"{r.status_code}: job {job_id} not listed")

    def wait_for(self, job_id: str, submitted: float):
        deadline = submitted + JOB_TIMEOUT_S
        while True:
            with self.client.get(f"/annotations/{job_id}", name="/annotations/[id] (poll)", catch_response=True) as r:
                if r.status_code != 200:
                    r.failure(f"{r.status_code}: {r.text[:200]}")
                    return None
                job = r.json()
            status = job["job_status"]
            waited_ms = (time.monotonic() - submitted) * 1000
            if status in ("COMPLETED", "FAILED") or time.monotonic() > deadline:
                problem = None if status == "COMPLETED" else RuntimeError(f"job {job_id} {status}: {job.get('failure_reason')}")
                events.request.fire(
                    request_type="JOB", name="submit->COMPLETED", response_time=waited_ms, response_length=0, exception=problem, context={}
                )
                return job if status == "COMPLETED" else None
            time.sleep(POLL_S)  # gevent-patched: yields to the other users
