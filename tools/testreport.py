"""The end every pseudo-suite runner in tools/ shares: one TEST line per result, the suite's
summary line, and the counts file ("passed failed skipped") that the Makefile's summary adds up
(docs/building-and-testing.md, "The summary line")."""


def report(suite, results, counts=None, extra=()):
    """results: (name, reasons) pairs, a failure when reasons is not empty; extra: reasons for
    failures of the run itself, each counted once. Returns the exit status (1 if anything
    failed)."""
    passed = failed = 0
    for name, why in results:
        if why:
            failed += 1
            print("TEST %s/%s FAIL %s" % (suite, name, "; ".join(why)))
        else:
            passed += 1
            print("TEST %s/%s PASS" % (suite, name))
    for why in extra:
        failed += 1
        print("TEST %s FAIL %s" % (suite, why))
    print("== %s: %d passed, %d failed" % (suite, passed, failed))
    if counts:
        with open(counts, "w") as f:
            f.write("%d %d 0\n" % (passed, failed))
    return 1 if failed else 0
