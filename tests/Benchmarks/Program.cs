using Webhooks.Benchmarks.Harness;
using Webhooks.Benchmarks.Micro;
using Webhooks.Benchmarks.Receiver;
using Webhooks.Benchmarks.Tools;

// webhooks-bench [options]           end-to-end benchmark (see HarnessOptions.Usage)
// webhooks-bench micro [BDN options] BenchmarkDotNet micro-benchmarks
// webhooks-bench receiver --port N   the receiver child process the end-to-end benchmark starts
// webhooks-bench allocations F [N]   top allocated types in a trace taken with --trace-profile gc-verbose
return args switch
{
    ["micro", .. var rest] => MicroBenchmarks.Run(rest),
    ["receiver", .. var rest] => await ReceiverApp.RunAsync(rest),
    ["allocations", .. var rest] => AllocationReport.Run(rest),
    ["--help" or "-h" or "help", ..] => Help(),
    _ => await BenchHarness.RunAsync(args),
};

static int Help()
{
    Console.WriteLine(HarnessOptions.Usage);
    return 0;
}
