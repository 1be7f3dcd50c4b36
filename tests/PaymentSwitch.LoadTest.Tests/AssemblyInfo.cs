// The tests generate real load on real loopback sockets; running them one at a time keeps a 2-core machine from
// turning one test's load into another's latency.
[assembly: CollectionBehavior(DisableTestParallelization = true)]
