using Distributed.InferenceWorker.Generation;
using Distributed.InferenceWorker.Native;
using Microsoft.Extensions.Logging.Abstractions;

namespace Distributed.InferenceWorker.Tests.Generation;

/// <summary>
/// What one decode step holds (<see cref="BatchPlanner"/>), on a real <c>llama_batch</c> with slots set up by hand (no
/// model: sampler and text decoder are not touched by planning).
/// </summary>
[TestFixture]
public sealed class BatchPlannerTests
{
    private const int BatchSize = 512;
    private SafeLlamaBatchHandle _batch = null!;

    [OneTimeSetUp]
    public void Init()
    {
        LlamaLibrary.Initialize(TestPaths.NativeDirectory, NullLogger.Instance);
        _batch = SafeLlamaBatchHandle.Create(BatchSize);
    }

    [OneTimeTearDown]
    public void Free() => _batch.Dispose();

    [Test]
    public void Build_FourPromptsWaiting_ShortestFirstAndOnePerStep()
    {
        var slots = Slots(80, 20, 60, 40);
        var planner = Planner();

        Assert.That(planner.Build(slots), Is.True);
        Assert.That(_batch.Count, Is.EqualTo(20), "only the shortest prompt, whole");
        Assert.That(slots.Select(s => s.PrefillOffset), Is.EqualTo(new[] { 0, 20, 0, 0 }));
        Assert.That(slots[1].BatchIndex, Is.EqualTo(19), "its last token gives the logits of the first answer token");

        planner.Build(slots);
        Assert.That(slots.Select(s => s.PrefillOffset), Is.EqualTo(new[] { 0, 20, 0, 40 }), "then the next shortest");
    }

    [Test]
    public void Build_PromptLongerThanTheBatch_FillsItThenTheNextPromptWaits()
    {
        var slots = Slots(600, 700);
        var planner = Planner();

        planner.Build(slots);

        Assert.That(_batch.Count, Is.EqualTo(BatchSize));
        Assert.That(slots.Select(s => s.PrefillOffset), Is.EqualTo(new[] { BatchSize, 0 }));
    }

    [Test]
    public void Build_OthersGenerating_DecodeTokensFirstThenAChunkOfThePrompt()
    {
        var slots = Slots(10, 400);
        slots[0].PrefillOffset = 10; // prompt done, generating
        slots[0].PendingToken = 7;
        var planner = Planner();

        planner.Build(slots);

        Assert.That(_batch.Count, Is.EqualTo(1 + BatchSize / 2), "the pending token, then half a batch of prompt");
        Assert.That(slots[0].BatchIndex, Is.EqualTo(0));
        Assert.That(slots[1].PrefillOffset, Is.EqualTo(BatchSize / 2));
    }

    private BatchPlanner Planner() =>
        new(_batch, BatchSize, contextLength: 4096, new SlotCompletion(IntPtr.Zero, new TranscriptStore(), () => { }));

    private static SequenceSlot[] Slots(params int[] promptLengths) =>
        promptLengths.Select((length, i) =>
        {
            var slot = new SequenceSlot(i);
            var job = new GenerationJob(Enumerable.Range(1, length).ToArray(), new SamplingSettings(), 8, [], null, CancellationToken.None);
            slot.Start(job, reused: 0, sampler: null!, text: null!);
            return slot;
        }).ToArray();
}
