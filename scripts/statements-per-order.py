#!/usr/bin/env python3
"""Statements PostgreSQL receives per card checkout, the events' work included (docs/performance.md).

Usage (as root, Debian's PostgreSQL 15 on localhost, password 'postgres'):
    python3 scripts/statements-per-order.py src/Storekeep.Web/bin/Release/net10.0/storekeep.dll [orders] [clients]

Starts the server on the demo store in database sk_statements (seeded on first use), builds one-line
carts, turns on log_statement = all, checks the carts out one after another (or from [clients]
threads at once, so that event subscribers get several orders per batch, as under load), waits
10 s for their events, and counts the statements logged. It then counts what the idle server sends in as long and
prints (busy - idle) / orders. Counted, not timed, so it does not depend on how busy the machine is.
"""
import json, random, subprocess, sys, threading, time, urllib.request

DLL = sys.argv[1]
ORDERS = int(sys.argv[2]) if len(sys.argv) > 2 else 40
CLIENTS = int(sys.argv[3]) if len(sys.argv) > 3 else 1
LOG = "/var/log/postgresql/postgresql-15-main.log"
URL = "http://localhost:5077"
ENV = ("Seed__Demo=true Bootstrap__ApiKey=sk_statements_0123456789abcdef0123 ASPNETCORE_URLS=" + URL +
       " Logging__LogLevel__Default=Warning Database__Provider=postgres RateLimiting__PublicRequestsPerMinute=10000000"
       " ConnectionStrings__Storekeep='Host=localhost;Username=postgres;Password=postgres;Database=sk_statements'")


def call(method, path, body=None):
    data = None if body is None else json.dumps(body).encode()
    request = urllib.request.Request(URL + path, method=method, data=data, headers={"content-type": "application/json"})
    with urllib.request.urlopen(request) as response:
        return json.loads(response.read() or b"null")


def psql(sql, database="postgres"):
    return subprocess.check_output(["su", "postgres", "-c", f"psql -d {database} -tAc \"{sql}\""]).decode().split()


def log_statements(on):
    change = "set log_statement='all'" if on else "reset log_statement"
    subprocess.check_call(["su", "postgres", "-c", f"psql -qc \"alter system {change}\" -c 'select pg_reload_conf()'"], stdout=subprocess.DEVNULL)


def log_lines():
    with open(LOG, errors="ignore") as f:
        return sum(1 for _ in f)


def statements_since(start):
    with open(LOG, errors="ignore") as f:
        return sum(1 for i, line in enumerate(f) if i >= start and ("LOG:  execute" in line or "LOG:  statement:" in line))


def logged_while(action):
    start = log_lines()
    log_statements(True)
    time.sleep(0.5)
    began = time.time()
    action()
    took = time.time() - began
    log_statements(False)
    return statements_since(start), took


server = subprocess.Popen(f"{ENV} exec dotnet {DLL} > /tmp/statements-per-order-server.log 2>&1", shell=True)
try:
    for _ in range(180):
        try:
            urllib.request.urlopen(URL + "/")
            break
        except OSError:
            time.sleep(1)
    time.sleep(8)
    skus = psql("select s.sku from stock_levels s join product_variants v on v.sku = s.sku join products p on p.id = v.product_id"
                " where p.status = 'active' group by s.sku having sum(s.on_hand - s.reserved) > 50 order by s.sku limit 200", "sk_statements")
    random.seed(1)
    carts = []
    for _ in range(ORDERS):
        cart = call("POST", "/api/v1/carts", {})
        call("POST", f"/api/v1/carts/{cart['id']}/items", {"sku": random.choice(skus), "quantity": 1})
        carts.append(cart["id"])
    time.sleep(5)
    stamp = int(time.time())

    def check_out_every(first):
        for i in range(first, len(carts), CLIENTS):
            call("POST", f"/api/v1/carts/{carts[i]}/checkout", {
                "email": f"statements{stamp}-{i}@bench.example",
                "shippingAddress": {"name": "Count Buyer", "line1": "1 Loop Road", "city": "Springfield", "postalCode": "12345", "country": "US"},
                "payment": {"method": "card", "token": "tok_visa"}})

    def check_out():
        threads = [threading.Thread(target=check_out_every, args=(k,)) for k in range(CLIENTS)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        time.sleep(10)

    busy, window = logged_while(check_out)
    time.sleep(1)
    idle, _ = logged_while(lambda: time.sleep(window))
    print(f"{ORDERS} checkouts from {CLIENTS} clients: {busy} statements in {window:.1f} s; idle server {idle} in as long; "
          f"per order {(busy - idle) / ORDERS:.1f}")
finally:
    server.terminate()
    server.wait()
