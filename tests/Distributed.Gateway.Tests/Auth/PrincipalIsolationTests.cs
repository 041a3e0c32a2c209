using System.Net;

namespace Distributed.Gateway.Tests.Auth;

/// <summary>
/// Sessions, conversations and keys are visible only to their owner, whichever way either side authenticates (a
/// registered user's token or issued key, a static key): another principal gets 404, never 403.
/// </summary>
[TestFixture]
public sealed class PrincipalIsolationTests
{
    private SharedEnvironment _env = null!;
    private HttpClient _owner = null!;
    private HttpClient _otherUser = null!;
    private HttpClient _otherUsersKey = null!;
    private HttpClient _staticKey = null!;
    private Guid _session;
    private Guid _conversation;
    private string _ownersKeyId = null!;
    private string _ownersKey = null!;
    private IReadOnlyList<Turn> _history = [];

    public static IEnumerable<TestCaseData> Intruders() =>
    [
        new TestCaseData("other user's token").SetArgDisplayNames("other user's token"),
        new TestCaseData("other user's issued key").SetArgDisplayNames("other user's issued key"),
        new TestCaseData("static key").SetArgDisplayNames("static key of bob"),
    ];

    public static IEnumerable<TestCaseData> SessionRouteCases()
    {
        foreach (var intruder in Intruders())
        {
            foreach (var route in OwnershipTests.SessionRoutes())
            {
                yield return new TestCaseData(intruder.Arguments[0], route.Arguments[0], route.Arguments[1], route.Arguments[2])
                    .SetArgDisplayNames((string)intruder.Arguments[0]!, $"{route.Arguments[0]} {route.Arguments[1]}");
            }
        }
    }

    [OneTimeSetUp]
    public async Task SetUpAsync()
    {
        _env = await SharedEnvironment.GetAsync();
        (_, _owner, _) = await _env.Gateway.NewUserClientAsync("owner");
        (_, _otherUser, _) = await _env.Gateway.NewUserClientAsync("intruder");
        _otherUsersKey = _env.Gateway.CreateClient((await _otherUser.CreateKeyAsync("intruder key")).GetProperty("key").GetString()!);
        _staticKey = _env.Gateway.CreateClient(TestKeys.Bob);
        _session = await _owner.CreateSessionAsync(systemPrompt: "Owner's prompt");
        _conversation = await _owner.CreateConversationAsync(_session);
        await _owner.QueryAsync(_session, _conversation, new { query = "Once upon a time", max_tokens = 4 });
        _history = await _owner.GetTurnsAsync(_session, _conversation);
        var key = await _owner.CreateKeyAsync("owner key");
        _ownersKeyId = key.GetProperty("id").GetString()!;
        _ownersKey = key.GetProperty("key").GetString()!;
    }

    [OneTimeTearDown]
    public void TearDown()
    {
        _owner.Dispose();
        _otherUser.Dispose();
        _otherUsersKey.Dispose();
        _staticKey.Dispose();
    }

    [TestCaseSource(nameof(SessionRouteCases))]
    public async Task SessionRoute_AnotherPrincipal_Returns404AndChangesNothing(string intruder, HttpMethod method, string template, string? body)
    {
        var path = template.Replace("{s}", _session.ToString(), StringComparison.Ordinal).Replace("{c}", _conversation.ToString(), StringComparison.Ordinal);

        using var response = await Client(intruder).SendAsync(new HttpRequestMessage(method, path) { Content = body is null ? null : GatewayApi.Json(body) });

        await response.ExpectProblemAsync(HttpStatusCode.NotFound);
        var session = await _owner.GetSessionAsync(_session);
        Assert.Multiple(async () =>
        {
            Assert.That(session.GetProperty("model_name").GetString(), Is.EqualTo(WorkerProcess.Stories));
            Assert.That(session.GetProperty("system_prompt").GetString(), Is.EqualTo("Owner's prompt"));
            Assert.That(await _owner.ListConversationsAsync(_session), Is.EqualTo(new[] { _conversation }));
            Assert.That(await _owner.GetTurnsAsync(_session, _conversation), Is.EqualTo(_history));
        });
    }

    [TestCaseSource(nameof(Intruders))]
    public async Task ListKeys_AnotherPrincipal_DoesNotSeeTheOwnersKeys(string intruder)
    {
        var listed = await Client(intruder).ListKeysAsync();

        Assert.That(listed.EnumerateArray().Select(k => k.GetProperty("id").GetString()), Does.Not.Contain(_ownersKeyId));
    }

    [TestCaseSource(nameof(Intruders))]
    public async Task DeleteKey_AnotherPrincipal_Returns404AndTheKeyKeepsWorking(string intruder)
    {
        using var response = await Client(intruder).DeleteAsync($"/auth/keys/{_ownersKeyId}");

        await response.ExpectProblemAsync(HttpStatusCode.NotFound);
        using var keyed = _env.Gateway.CreateClient(_ownersKey);
        Assert.That((await keyed.GetSessionAsync(_session)).GetProperty("sessionId").GetGuid(), Is.EqualTo(_session));
        Assert.That((await _owner.ListKeysAsync()).EnumerateArray().Select(k => k.GetProperty("id").GetString()), Does.Contain(_ownersKeyId));
    }

    [Test]
    public async Task DeleteKey_UnknownIdAndSomeoneElsesId_GiveTheSame404()
    {
        using var foreign = await _otherUser.DeleteAsync($"/auth/keys/{_ownersKeyId}");
        using var unknown = await _otherUser.DeleteAsync($"/auth/keys/{Guid.NewGuid()}");

        var foreignProblem = await foreign.ExpectProblemAsync(HttpStatusCode.NotFound);
        var unknownProblem = await unknown.ExpectProblemAsync(HttpStatusCode.NotFound);
        Assert.That(foreignProblem.GetProperty("detail").GetString(), Is.EqualTo(unknownProblem.GetProperty("detail").GetString()));
    }

    [Test]
    public async Task GetSession_SomeoneElsesAndUnknown_GiveTheSame404()
    {
        using var foreign = await _otherUser.GetAsync($"/llm/sessions/{_session}");
        using var unknown = await _otherUser.GetAsync($"/llm/sessions/{Guid.NewGuid()}");

        var foreignProblem = await foreign.ExpectProblemAsync(HttpStatusCode.NotFound);
        var unknownProblem = await unknown.ExpectProblemAsync(HttpStatusCode.NotFound);
        Assert.That(foreignProblem.GetProperty("detail").GetString(), Is.EqualTo(unknownProblem.GetProperty("detail").GetString()));
    }

    [TestCaseSource(nameof(Intruders))]
    public async Task ListSessions_AnotherPrincipal_DoesNotListTheOwnersSession(string intruder)
    {
        var sessions = await Client(intruder).GetAsync("/llm/sessions").ExpectJsonAsync(HttpStatusCode.OK);

        Assert.That(sessions.EnumerateArray().Select(s => s.GetProperty("sessionId").GetGuid()), Does.Not.Contain(_session));
    }

    [Test]
    public async Task Query_IntrudersOwnSessionWithTheOwnersConversation_Returns404()
    {
        var own = await _otherUser.CreateSessionAsync();

        using var response = await _otherUser.PostJsonAsync(GatewayApi.QueryPath(own, _conversation), new { query = "hi", max_tokens = 2 });

        await response.ExpectProblemAsync(HttpStatusCode.NotFound);
        Assert.That(await _owner.GetTurnsAsync(_session, _conversation), Is.EqualTo(_history));
    }

    private HttpClient Client(string intruder) => intruder switch
    {
        "other user's token" => _otherUser,
        "other user's issued key" => _otherUsersKey,
        _ => _staticKey,
    };
}
