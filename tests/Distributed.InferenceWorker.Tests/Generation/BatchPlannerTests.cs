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
    public void Build_PromptLongerThanTheBatch_EqualChunksAndTheNextPromptWaits()
    {
        var slots = Slots(600, 700);
        var planner = Planner();

        planner.Build(slots);

        Assert.That(_batch.Count, Is.EqualTo(300), "600 tokens in two passes of 300, not 512 + 88");
        Assert.That(slots.Select(s => s.PrefillOffset), Is.EqualTo(new[] { 300, 0 }));
    }

    [Test]
    public void Build_OthersGenerating_DecodeTokensAndAnEqualChunkOfThePrompt()
    {
        var slots = Slots(10, 400);
        Generating(slots[0], token: 7);
        var planner = Planner();

        planner.Build(slots);

        Assert.That(_batch.Count, Is.EqualTo(1 + 200), "the pending token, then half of the 400-token prompt (chunks of at most half a batch)");
        Assert.That(slots[0].BatchIndex, Is.EqualTo(0));
        Assert.That(slots[1].PrefillOffset, Is.EqualTo(200));
    }

    [Test]
    public void Build_PrefillBetweenGeneratingSequences_TokensInSequenceIdOrder()
    {
        var slots = Slots(10, 10, 50, 10);
        Generating(slots[0], token: 7);
        Generating(slots[1], token: 8);
        Generating(slots[3], token: 9);
        var planner = Planner();

        planner.Build(slots);

        var expected = new[] { 0, 1 }.Concat(Enumerable.Repeat(2, 50)).Append(3);
        Assert.That(Enumerable.Range(0, _batch.Count).Select(_batch.SequenceAt), Is.EqualTo(expected),
            "llama.cpp starts a new compute pass wherever sequence ids stop following one another");
        Assert.That(slots.Select(s => s.BatchIndex), Is.EqualTo(new[] { 0, 1, 51, 52 }));
    }

    [Test]
    public void Build_TwoPromptsNotFinishingInOneStep_OnlyOneChunkPerStep()
    {
        var slots = Slots(300, 1000, 950);
        Generating(slots[0], token: 7);
        slots[1].PrefillOffset = 100;
        var planner = Planner();

        planner.Build(slots);

        Assert.That(slots[1].PrefillOffset, Is.EqualTo(100 + 225), "900 remaining: four chunks of 225 while another sequence generates");
        Assert.That(slots[2].PrefillOffset, Is.Zero, "a second prompt would share the pass and cut both into equal-row pieces");
    }

    [Test]
    public void Build_ASequenceBeforeItsFirstVisibleText_NoPromptSharesTheStep()
    {
        var slots = Slots([10, 40], firstVisible: 2);
        Generating(slots[0], token: 7);
        slots[0].Completion = 1;
        var planner = Planner();

        planner.Build(slots);

        Assert.That(_batch.Count, Is.EqualTo(1), "only the token that completes slot 0's first word");
        Assert.That(slots[1].PrefillOffset, Is.Zero);

        slots[0].PendingToken = 8;
        slots[0].Completion = 2;
        planner.Build(slots);

        Assert.That(_batch.Count, Is.EqualTo(1 + 40), "its first text is out: the waiting prompt goes in");
    }

    [Test]
    public void Build_FirstVisibleIsOneToken_PromptSharesTheStepAfterTheFirstToken()
    {
        var slots = Slots(10, 40);
        Generating(slots[0], token: 7);
        slots[0].Completion = 1;
        var planner = Planner();

        planner.Build(slots);

        Assert.That(_batch.Count, Is.EqualTo(1 + 40));
    }

    [TestCase(100, 256, 100)]
    [TestCase(256, 256, 256)]
    [TestCase(300, 256, 150)]
    [TestCase(513, 256, 171)]
    [TestCase(1000, 512, 500)]
    public void ChunkOf_RemainingAndLimit_EqualShareOfTheFewestChunks(int remaining, int limit, int expected) =>
        Assert.That(BatchPlanner.ChunkOf(remaining, limit), Is.EqualTo(expected));

    private BatchPlanner Planner() =>
        new(_batch, BatchSize, contextLength: 4096, new SlotCompletion(IntPtr.Zero, new TranscriptStore(), () => { }));

    /// <summary>Marks a slot's prompt as done, with <paramref name="token"/> sampled and waiting to be decoded.</summary>
    private static void Generating(SequenceSlot slot, int token)
    {
        slot.PrefillOffset = slot.Job!.PromptTokens.Length;
        slot.PendingToken = token;
    }

    private static SequenceSlot[] Slots(params int[] promptLengths) => Slots(promptLengths, firstVisible: 1);

    private static SequenceSlot[] Slots(int[] promptLengths, int firstVisible) =>
        promptLengths.Select((length, i) =>
        {
            var slot = new SequenceSlot(i);
            var job = new GenerationJob(Enumerable.Range(1, length).ToArray(), new SamplingSettings(), 8, [], null, CancellationToken.None)
            {
                FirstVisibleTokens = firstVisible,
            };
            slot.Start(job, reused: 0, sampler: null!, text: null!);
            return slot;
        }).ToArray();
}
