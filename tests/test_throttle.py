"""Login throttling's store on both backends: one count for every server process (two Throttle
objects stand for two servers), checked and counted in one transaction even when attempts
arrive at the same moment on different connections."""
from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor

from search_app.throttle import ACCOUNT_FREE, ADDRESS_FAILURES, LOCKOUT, Throttle, account_delay

NOW = 1_800_000_000.0


def test_failures_on_one_server_slow_the_account_down_on_the_other(tmp_path, store_url):
    one, two = Throttle(tmp_path, store_url), Throttle(tmp_path, store_url)
    for k in range(ACCOUNT_FREE):
        attempt, _ = (one if k % 2 else two).begin("张三", f"10.0.0.{k}", NOW + k)
        assert attempt
        (two if k % 2 else one).finish(attempt, ok=False)
    last = NOW + ACCOUNT_FREE - 1
    attempt, until = two.begin("张三", "10.0.0.99", last + 1)
    assert attempt is None and until == last + account_delay(ACCOUNT_FREE)
    assert one.begin("李四", "10.0.0.99", last + 1)[0]  # another account is not slowed
    attempt, _ = one.begin("张三", "10.0.0.99", until)
    one.finish(attempt, ok=True)  # the right password: the account's count starts afresh
    assert two.begin("张三", "10.0.0.98", until + 0.1)[0]
    one.close()
    two.close()


def test_twenty_attempts_at_once_from_one_address_and_no_more(tmp_path, store_url):
    """40 wrong passwords from one address, sent together to two servers (threads on two
    connections): exactly 20 are let through and counted, the rest refused for LOCKOUT."""
    servers = [Throttle(tmp_path, store_url), Throttle(tmp_path, store_url)]
    start = threading.Barrier(40)

    def attempt(k: int):
        start.wait()
        return servers[k % 2].begin(f"用户{k}", "192.0.2.7", NOW)

    with ThreadPoolExecutor(40) as pool:
        results = list(pool.map(attempt, range(40)))
    let_through = [a for a, _ in results if a]
    assert len(let_through) == ADDRESS_FAILURES
    assert {until for a, until in results if not a} == {NOW + LOCKOUT}
    assert servers[1].begin("用户0", "192.0.2.8", NOW)[0]  # another address is not locked
    for s in servers:
        s.close()
