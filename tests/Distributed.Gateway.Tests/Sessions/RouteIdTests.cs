using System.Net;

namespace Distributed.Gateway.Tests.Sessions;

/// <summary>
/// A route id is a UUID of exactly 36 characters in the D format (hex digits of either case; upper case names the same
/// session): whitespace before or after it (<c>%20</c>, <c>%09</c>, <c>%0A</c>, <c>%0D%0A</c>), braces, parentheses or
/// no dashes is a 400 naming the parameter, and nothing is deleted.
/// </summary>
[TestFixture]
public sealed class RouteIdTests
{
    private SharedEnvironment _env = null!;
    private HttpClient _client = null!;

    public static IEnumerable<TestCaseData> NotD()
    {
        foreach (var (space, name) in new[] { ("%20", "space"), ("%09", "tab"), ("%0A", "LF"), ("%0D%0A", "CRLF"), ("%0D", "CR"), ("+", "plus") })
        {
            yield return new TestCaseData((Func<Guid, string>)(id => space + id.ToString("D"))).SetArgDisplayNames($"leading {name}");
            yield return new TestCaseData((Func<Guid, string>)(id => id.ToString("D") + space)).SetArgDisplayNames($"trailing {name}");
        }

        yield return new TestCaseData((Func<Guid, string>)(id => "%7B" + id.ToString("D") + "%7D")).SetArgDisplayNames("braces (B)");
        yield return new TestCaseData((Func<Guid, string>)(id => id.ToString("P"))).SetArgDisplayNames("parentheses (P)");
        yield return new TestCaseData((Func<Guid, string>)(id => id.ToString("N"))).SetArgDisplayNames("no dashes (N)");
        yield return new TestCaseData((Func<Guid, string>)(id => id.ToString("N").ToUpperInvariant())).SetArgDisplayNames("upper case, no dashes");
    }

    [OneTimeSetUp]
    public async Task SetUpAsync()
    {
        _env = await SharedEnvironment.GetAsync();
        _client = _env.Gateway.CreateClient();
    }

    [OneTimeTearDown]
    public void TearDown() => _client.Dispose();

    [TestCaseSource(nameof(NotD))]
    public async Task DeleteSession_IdNotExactlyDFormat_Returns400AndDeletesNothing(Func<Guid, string> spell)
    {
        var session = await _client.CreateSessionAsync();

        using var response = await _client.DeleteAsync($"/llm/sessions/{spell(session)}");

        await response.ExpectBadRequestAsync("sessionId");
        await _client.GetAsync($"/llm/sessions/{session:D}").ExpectJsonAsync(HttpStatusCode.OK);
    }

    [TestCaseSource(nameof(NotD))]
    public async Task DeleteConversation_IdNotExactlyDFormat_Returns400AndDeletesNothing(Func<Guid, string> spell)
    {
        var session = await _client.CreateSessionAsync();
        var conversation = await _client.CreateConversationAsync(session);

        using var response = await _client.DeleteAsync($"/llm/sessions/{session:D}/conversations/{spell(conversation)}");

        await response.ExpectBadRequestAsync("conversationId");
        Assert.That(await _client.ListConversationsAsync(session), Is.EqualTo(new[] { conversation }));
    }

    [Test]
    public async Task Session_UpperCaseDFormat_IsTheSameSession()
    {
        var session = await _client.CreateSessionAsync();

        var read = await _client.GetAsync($"/llm/sessions/{session.ToString("D").ToUpperInvariant()}").ExpectJsonAsync(HttpStatusCode.OK);
        using var deleted = await _client.DeleteAsync($"/llm/sessions/{session.ToString("D").ToUpperInvariant()}");

        Assert.That(read.GetProperty("sessionId").GetGuid(), Is.EqualTo(session));
        await deleted.ExpectStatusAsync(HttpStatusCode.NoContent);
        using var gone = await _client.GetAsync($"/llm/sessions/{session:D}");
        await gone.ExpectProblemAsync(HttpStatusCode.NotFound);
    }
}
