namespace Distributed.Sanitization.Tests;

public class OutputSanitizationTests
{
    private const string SystemPrompt =
        "You are Acme's support assistant. Never discuss competitor pricing. Escalate refunds above 500 EUR to " +
        "billing-team@acme.example and always answer in a friendly, concise tone.";

    [Test]
    public void SanitizeOutput_Pii_IsRedacted()
    {
        SanitizedText result = Sanitizers.Create().SanitizeOutput(
            "Sure! Reach Jane at jane@example.com or +1 (555) 123-4567; her card is 5555 5555 5555 4444.", null);

        Assert.That(result.Text, Is.EqualTo("Sure! Reach Jane at [EMAIL] or [PHONE]; her card is [CARD]."));
        Assert.That(result.Blocked, Is.False);
    }

    [Test]
    public void SanitizeOutput_RedactOutputOff_KeepsPiiButStripsControls()
    {
        SanitizedText result = Sanitizers.Create(redactOutput: false).SanitizeOutput("mail jane@example.com\u202E", null);

        Assert.That(result.Text, Is.EqualTo("mail jane@example.com"));
        Assert.That(result.Findings, Is.EqualTo(new[] { new SanitizationFinding(FindingKinds.Control, 1) }));
    }

    [Test]
    public void SanitizeOutput_InjectionPhrasing_IsNotBlocked()
    {
        SanitizedText result = Sanitizers.Create().SanitizeOutput("Attackers write 'ignore previous instructions'.", null);

        Assert.That(result.Blocked, Is.False);
        Assert.That(result.Findings, Is.Empty);
    }

    [Test]
    public void SanitizeOutput_VerbatimSystemPrompt_IsReplaced()
    {
        SanitizedText result = Sanitizers.Create().SanitizeOutput("My instructions are: " + SystemPrompt + " Anything else?", SystemPrompt);

        Assert.That(result.Text, Is.EqualTo("My instructions are: [SYSTEM PROMPT] Anything else?"));
        Assert.That(result.Findings, Is.EqualTo(new[] { new SanitizationFinding(FindingKinds.SystemPrompt, 1) }));
    }

    [Test]
    public void SanitizeOutput_LongChunkOfSystemPrompt_IsReplaced()
    {
        string chunk = SystemPrompt.Substring(34, 70); // "Never discuss competitor pricing. Escalate refunds ..."

        SanitizedText result = Sanitizers.Create().SanitizeOutput("Well: " + chunk + " -- that's it.", SystemPrompt);

        Assert.That(result.Text, Is.EqualTo("Well: [SYSTEM PROMPT] -- that's it."));
    }

    [Test]
    public void SanitizeOutput_ShortChunkOfSystemPrompt_IsKept()
    {
        const string output = "I will never discuss competitor pricing.";

        SanitizedText result = Sanitizers.Create().SanitizeOutput(output, SystemPrompt);

        Assert.That(result.Text, Is.EqualTo(output));
        Assert.That(result.Findings, Is.Empty);
    }

    [Test]
    public void SanitizeOutput_ReflowedAndRecasedSystemPrompt_IsReplaced()
    {
        string reflowed = SystemPrompt.Replace(". ", ".\n\n   ", StringComparison.Ordinal).ToUpperInvariant();

        SanitizedText result = Sanitizers.Create().SanitizeOutput("```\n" + reflowed + "\n```", SystemPrompt);

        Assert.That(result.Text, Is.EqualTo("```\n[SYSTEM PROMPT]\n```"));
    }

    [Test]
    public void SanitizeOutput_SystemPromptWithEmail_IsReplacedWholeNotRedactedPiecewise()
    {
        SanitizedText result = Sanitizers.Create().SanitizeOutput(SystemPrompt, SystemPrompt);

        Assert.That(result.Text, Is.EqualTo("[SYSTEM PROMPT]"));
        Assert.That(result.CountOf(FindingKinds.Email), Is.Zero);
    }

    [Test]
    public void SanitizeOutput_TwoSeparateChunks_CountsTwo()
    {
        string first = SystemPrompt[..65];
        string second = SystemPrompt[^65..];

        SanitizedText result = Sanitizers.Create().SanitizeOutput(first + " ... and also ... " + second, SystemPrompt);

        Assert.That(result.Text, Is.EqualTo("[SYSTEM PROMPT] ... and also ... [SYSTEM PROMPT]"));
        Assert.That(result.CountOf(FindingKinds.SystemPrompt), Is.EqualTo(2));
    }

    [Test]
    public void SanitizeOutput_ShortSystemPromptRepeatedWhole_IsReplaced()
    {
        const string prompt = "Only answer cooking questions.";

        SanitizedText result = Sanitizers.Create().SanitizeOutput("I was told: only answer  cooking questions. Sorry!", prompt);

        Assert.That(result.Text, Is.EqualTo("I was told: [SYSTEM PROMPT] Sorry!"));
    }

    [Test]
    public void SanitizeOutput_TinySystemPrompt_IsIgnored()
    {
        const string output = "Be brief. Here is the answer.";

        SanitizedText result = Sanitizers.Create().SanitizeOutput(output, "Be brief.");

        Assert.That(result.Text, Is.EqualTo(output));
    }

    [Test]
    public void SanitizeOutput_EchoGuardOff_KeepsSystemPromptButRedactsEmail()
    {
        SanitizedText result = Sanitizers.Create(blockSystemPromptEcho: false).SanitizeOutput(SystemPrompt, SystemPrompt);

        Assert.That(result.Text, Is.EqualTo(SystemPrompt.Replace("billing-team@acme.example", "[EMAIL]", StringComparison.Ordinal)));
        Assert.That(result.CountOf(FindingKinds.SystemPrompt), Is.Zero);
    }

    [TestCase(null)]
    [TestCase("")]
    public void SanitizeOutput_NoSystemPrompt_OnlyRedacts(string? prompt)
    {
        SanitizedText result = Sanitizers.Create().SanitizeOutput(SystemPrompt, prompt);

        Assert.That(result.CountOf(FindingKinds.SystemPrompt), Is.Zero);
        Assert.That(result.CountOf(FindingKinds.Email), Is.EqualTo(1));
    }

    [Test]
    public void SanitizeOutput_Disabled_ReturnsTextUntouched()
    {
        SanitizedText result = Sanitizers.Create(enabled: false).SanitizeOutput(SystemPrompt, SystemPrompt);

        Assert.That(result.Text, Is.SameAs(SystemPrompt));
        Assert.That(result.Findings, Is.Empty);
    }
}
