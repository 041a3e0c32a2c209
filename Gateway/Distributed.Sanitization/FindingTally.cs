namespace Distributed.Sanitization;

/// <summary>Counts findings by kind and reports them in a fixed order so results are deterministic.</summary>
internal sealed class FindingTally
{
    private static readonly string[] Order =
    [
        FindingKinds.Control, FindingKinds.Secret, FindingKinds.Email, FindingKinds.Iban, FindingKinds.Card,
        FindingKinds.Phone, FindingKinds.SystemPrompt, FindingKinds.Injection,
    ];

    private readonly int[] _counts = new int[Order.Length];

    public void Add(string kind, int count = 1)
    {
        if (count > 0)
        {
            _counts[Array.IndexOf(Order, kind)] += count;
        }
    }

    public IReadOnlyList<SanitizationFinding> ToFindings()
    {
        var findings = new List<SanitizationFinding>();
        for (int i = 0; i < Order.Length; i++)
        {
            if (_counts[i] > 0)
            {
                findings.Add(new SanitizationFinding(Order[i], _counts[i]));
            }
        }

        return findings;
    }
}
