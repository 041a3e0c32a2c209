namespace Distributed.InferenceWorker.Tests.Generation;

/// <summary>
/// <c>Worker:StreamIntervalMs</c> coalesces deltas: the same text arrives in fewer replies, the first one at once.
/// Compared with a worker that streams every token.
/// </summary>
public class StreamIntervalTests
{
    private const string Stories = "stories260K";
    private WorkerHost _everyToken = null!;
    private WorkerHost _coalescing = null!;

    [OneTimeSetUp]
    public async Task StartWorkers()
    {
        _everyToken = await WorkerHost.StartAsync();
        // A second is far longer than the whole generation (stories260K decodes thousands of tokens a second).
        _coalescing = await WorkerHost.StartAsync(new Dictionary<string, string?> { ["Worker:StreamIntervalMs"] = "1000" });
    }

    [OneTimeTearDown]
    public async Task StopWorkers()
    {
        await _everyToken.DisposeAsync();
        await _coalescing.DisposeAsync();
    }

    [Test]
    public async Task Generate_LongInterval_SameTextInFewerDeltas()
    {
        var request = GenerationClient.Prompt(Stories, "Once upon a time", 48);
        var reference = await _everyToken.Client.RunAsync(request);
        var clock = System.Diagnostics.Stopwatch.StartNew();
        var coalesced = await _coalescing.Client.RunAsync(request);
        var intervals = (int)(clock.ElapsedMilliseconds / 1000);

        Assert.Multiple(() =>
        {
            Assert.That(coalesced.Text, Is.EqualTo(reference.Text));
            Assert.That(coalesced.Final.Usage.CompletionTokens, Is.EqualTo(48));
            Assert.That(reference.Deltas.Count(d => d.Length > 0), Is.GreaterThan(20));
            // The first delta at once, the rest held back: at most one more delta per interval the generation lasted,
            // plus the final reply's (however slow the machine), against one a token without the interval.
            Assert.That(coalesced.Deltas.Count(d => d.Length > 0), Is.InRange(2, 2 + intervals));
            Assert.That(coalesced.Deltas[0], Is.Not.Empty);
        });
    }

    [Test]
    public async Task Generate_LongIntervalWithStopString_HeldTextStillEndsBeforeStop()
    {
        var request = GenerationClient.Prompt(Stories, "Once upon a time", 64);
        var unstopped = await _everyToken.Client.RunAsync(request);
        var words = unstopped.Text.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        var stop = words[words.Length / 2];
        request.Sampling.Stop.Add(stop);

        var reference = await _everyToken.Client.RunAsync(request);
        var coalesced = await _coalescing.Client.RunAsync(request);

        Assert.Multiple(() =>
        {
            Assert.That(coalesced.Text, Is.EqualTo(reference.Text));
            Assert.That(coalesced.Text, Does.Not.Contain(stop));
            Assert.That(coalesced.Final.FinishReason, Is.EqualTo(Contracts.Inference.V1.FinishReason.Stop));
        });
    }
}
