"""Plumbing shared by the drills: a throwaway PostgreSQL cluster, the portal on loopback, HTTP calls."""
import json, os, random, shutil, subprocess, tempfile, time, urllib.error, urllib.request

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
PG = f"/usr/lib/postgresql/{sorted(os.listdir('/usr/lib/postgresql'))[-1]}/bin"


def as_postgres(*cmd):
    return (["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []) + list(cmd)


def http(method, url, body=None, headers=None, timeout=10):
    """(status, headers, body); status 0 when the connection itself failed."""
    data = json.dumps(body).encode() if body is not None else None
    req = urllib.request.Request(url, data=data, method=method, headers={"Content-Type": "application/json", **(headers or {})})
    try:
        with urllib.request.urlopen(req, timeout=timeout) as r:
            return r.status, dict(r.headers), r.read().decode()
    except urllib.error.HTTPError as e:
        return e.code, dict(e.headers), e.read().decode()
    except Exception as e:
        return 0, {}, str(e)


class Cluster:
    def __init__(self):
        self.dir = tempfile.mkdtemp(prefix="pt-drill-", dir="/tmp")
        os.chmod(self.dir, 0o755)
        if os.geteuid() == 0:
            shutil.chown(self.dir, "postgres", "postgres")
        self.port = 56400 + random.randint(0, 50)
        subprocess.run(as_postgres(f"{PG}/initdb", "-D", f"{self.dir}/data", "-U", "postgres", "--auth=trust", "-E", "UTF8", "--locale=C.UTF-8"),
                       check=True, stdout=subprocess.DEVNULL)
        self.start()

    def start(self):
        subprocess.run(as_postgres(f"{PG}/pg_ctl", "-D", f"{self.dir}/data", "-l", f"{self.dir}/pg.log", "-w", "-o",
                                   f"-p {self.port} -k {self.dir} -c listen_addresses=127.0.0.1", "start"), check=True, stdout=subprocess.DEVNULL)

    def stop(self, mode="immediate"):
        subprocess.run(as_postgres(f"{PG}/pg_ctl", "-D", f"{self.dir}/data", "-m", mode, "-w", "stop"), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)

    def sql(self, query, database="permits"):
        return subprocess.run(["psql", "-h", "127.0.0.1", "-p", str(self.port), "-U", "postgres", "-d", database, "-At", "-c", query],
                              capture_output=True, text=True, check=True).stdout.split("\n")

    def env(self, database="permits", **settings):
        """The environment the built program (DLL) runs in against a database of this cluster."""
        return dict(os.environ, ConnectionStrings__Permits=f"Host=127.0.0.1;Port={self.port};Username=postgres;Database={database}",
                    Serilog__MinimumLevel__Default="Warning", ASPNETCORE_CONTENTROOT=f"{ROOT}/.build/web", DOTNET_NOLOGO="1", **settings)

    def remove(self):
        self.stop("fast")
        shutil.rmtree(self.dir, ignore_errors=True)


DLL = ["dotnet", f"{ROOT}/.build/web/PermitTracker.Web.dll"]
# The benchmark tool (bench import-file, ...): not in the shipped host; bench_tool() publishes it once.
BENCH_DLL = ["dotnet", f"{ROOT}/.build/bench/PermitTracker.Bench.dll"]


def bench_tool():
    """Publishes tools/PermitTracker.Bench to .build/bench and returns the command that runs it."""
    subprocess.run(["dotnet", "publish", f"{ROOT}/tools/PermitTracker.Bench", "-c", "Release", "-o", f"{ROOT}/.build/bench", "--nologo", "-v", "quiet"],
                   check=True, stdout=subprocess.DEVNULL)
    return BENCH_DLL


def build_and_migrate(env):
    """run.sh publishes the program to .build/web once (and migrates the database); drills then run DLL directly."""
    subprocess.run([f"{ROOT}/run.sh", "migrate"], env=env, check=True, stdout=subprocess.DEVNULL)


class Portal:
    """The portal built once by run.sh, then run directly; API keys for intake and agencies."""

    def __init__(self, cluster, seed_jobs=0):
        self.port = 5400 + random.randint(0, 50)
        self.base = f"http://127.0.0.1:{self.port}"
        self.env = dict(os.environ, ConnectionStrings__Permits=f"Host=127.0.0.1;Port={cluster.port};Username=postgres;Database=permits;Timeout=3;Command Timeout=5",
                        ASPNETCORE_URLS=f"http://127.0.0.1:{self.port}", Serilog__MinimumLevel__Default="Warning", Seed__DemoDataWhenEmpty="false",
                        ASPNETCORE_CONTENTROOT=f"{ROOT}/.build/web", RateLimiting__PublicLookups__PermitLimit="1000000")
        subprocess.run([f"{ROOT}/run.sh", "seed", "--jobs", str(seed_jobs)], env=self.env, check=True, stdout=subprocess.DEVNULL)
        self.dll = ["dotnet", f"{ROOT}/.build/web/PermitTracker.Web.dll"]
        self.keys = {}
        for who in ["intake", "DOB", "FDNY", "DEP"]:
            flag = ["--intake"] if who == "intake" else ["--agency", who]
            out = subprocess.run([*self.dll, "create-api-key", *flag], env=self.env, check=True, capture_output=True, text=True).stdout
            self.keys[who] = out.strip().splitlines()[-1]
        self.log = open(f"{cluster.dir}/app.log", "w")
        self.process = subprocess.Popen(self.dll, env=self.env, stdout=self.log, stderr=subprocess.STDOUT)
        deadline = time.time() + 120
        while http("GET", f"{self.base}/health/ready")[0] != 200:
            if time.time() > deadline or self.process.poll() is not None:
                raise SystemExit("the portal did not start; see " + self.log.name)
            time.sleep(0.5)

    def rss_mib(self):
        with open(f"/proc/{self.process.pid}/status") as f:
            for line in f:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1]) / 1024
        return 0

    def stop(self):
        self.process.kill()
        self.process.wait()
