using System.Net;

namespace Distributed.Gateway.Tests.Admin;

/// <summary>
/// <c>/admin/*</c>: the bootstrap key is an admin that can load and unload models and list, disable and enable users;
/// a user, whether by token, static key or issued key, gets 403 and changes nothing.
/// </summary>
[TestFixture]
public sealed class AdminRouteTests
{
    private static readonly string SomeUserId = Guid.NewGuid().ToString("D");

    private SharedEnvironment _env = null!;
    private HttpClient _admin = null!;
    private string _userToken = null!;
    private string _issuedUserKey = null!;
    private RegisteredUser _victim = null!;

    public static IEnumerable<TestCaseData> AdminRoutes()
    {
        yield return new TestCaseData(HttpMethod.Get, "/admin/users").SetArgDisplayNames("GET users");
        yield return new TestCaseData(HttpMethod.Post, $"/admin/models/{WorkerProcess.TinyRandom}/load").SetArgDisplayNames("POST load");
        yield return new TestCaseData(HttpMethod.Post, $"/admin/models/{WorkerProcess.TinyRandom}/unload").SetArgDisplayNames("POST unload");
        yield return new TestCaseData(HttpMethod.Post, "/admin/users/{victim}/disable").SetArgDisplayNames("POST disable");
        yield return new TestCaseData(HttpMethod.Post, "/admin/users/{victim}/enable").SetArgDisplayNames("POST enable");
    }

    public static IEnumerable<TestCaseData> UserRouteCases()
    {
        foreach (var credential in new[] { "token", "static key", "issued key" })
        {
            foreach (var route in AdminRoutes())
            {
                yield return new TestCaseData(credential, route.Arguments[0], route.Arguments[1])
                    .SetArgDisplayNames(credential, $"{route.Arguments[0]} {route.Arguments[1]}");
            }
        }
    }

    [OneTimeSetUp]
    public async Task SetUpAsync()
    {
        _env = await SharedEnvironment.GetAsync();
        _admin = _env.Gateway.CreateClient(TestKeys.Admin);
        var (_, bearer, token) = await _env.Gateway.NewUserClientAsync("notadmin");
        using var owned = bearer;
        _userToken = token;
        _issuedUserKey = (await bearer.CreateKeyAsync()).GetProperty("key").GetString()!;
        _victim = await _env.Gateway.RegisterAsync();
    }

    [OneTimeTearDown]
    public void TearDown() => _admin.Dispose();

    [TestCaseSource(nameof(UserRouteCases))]
    public async Task AdminRoute_UserCredential_Returns403AndChangesNothing(string credential, HttpMethod method, string path)
    {
        using var client = credential switch
        {
            "token" => _env.Gateway.CreateBearerClient(_userToken),
            "static key" => _env.Gateway.CreateClient(TestKeys.Bob),
            _ => _env.Gateway.CreateClient(_issuedUserKey),
        };

        using var response = await client.SendAsync(new HttpRequestMessage(method, path.Replace("{victim}", _victim.Id, StringComparison.Ordinal)));

        await response.ExpectProblemAsync(HttpStatusCode.Forbidden);
        // Nothing was disabled: the victim's flag in Redis is still clear.
        var disabled = await _env.Inspector.ExecuteAsync("HGET", $"{_env.Gateway.KeyPrefix}user:{_victim.Id}", "disabled");
        Assert.That(disabled.AsString(), Is.EqualTo("0"));
    }

    [TestCaseSource(nameof(AdminRoutes))]
    public async Task AdminRoute_NoCredentials_Returns401(HttpMethod method, string path)
    {
        using var client = _env.Gateway.CreateClient(apiKey: null);

        using var response = await client.SendAsync(new HttpRequestMessage(method, path.Replace("{victim}", SomeUserId, StringComparison.Ordinal)));

        await response.ExpectProblemAsync(HttpStatusCode.Unauthorized);
    }

    [Test]
    public async Task ListUsers_Admin_ReturnsRegisteredUsersInRegistrationOrder()
    {
        var first = await _env.Gateway.RegisterAsync();
        var second = await _env.Gateway.RegisterAsync();

        var users = await _admin.GetAsync("/admin/users").ExpectJsonAsync(HttpStatusCode.OK);

        var ids = users.EnumerateArray().Select(u => u.GetProperty("id").GetString()).ToList();
        Assert.That(ids, Does.Contain(first.Id).And.Contain(second.Id));
        Assert.That(ids.IndexOf(first.Id), Is.LessThan(ids.IndexOf(second.Id)));
    }

    [Test]
    public async Task LoadAndUnloadModel_Admin_ChangesWhereTheModelIsLoaded()
    {
        try
        {
            var loaded = await _admin.PostAsync("/admin/models/llama3/load", null).ExpectJsonAsync(HttpStatusCode.OK);
            Assert.That(loaded.PropertyNames(), Is.EqualTo(new[] { "message" }));
            await WaitForLoadedAsync(WorkerProcess.TinyRandom, loaded: true);

            var unloaded = await _admin.PostAsync($"/admin/models/{WorkerProcess.TinyRandom}/unload", null).ExpectJsonAsync(HttpStatusCode.OK);

            Assert.That(unloaded.GetProperty("message").GetString(), Is.EqualTo($"{WorkerProcess.TinyRandom} model was unloaded from 1 worker(s)."));
            await WaitForLoadedAsync(WorkerProcess.TinyRandom, loaded: false);
            var again = await _admin.PostAsync($"/admin/models/{WorkerProcess.TinyRandom}/unload", null).ExpectJsonAsync(HttpStatusCode.OK);
            Assert.That(again.GetProperty("message").GetString(), Does.Contain("from 0 worker(s)"), "unloading a model that is not loaded is a no-op");
        }
        finally
        {
            // Leave the shared worker as other fixtures expect it.
            await _admin.PostAsync($"/admin/models/{WorkerProcess.TinyRandom}/load", null).ExpectJsonAsync(HttpStatusCode.OK);
            await WaitForLoadedAsync(WorkerProcess.TinyRandom, loaded: true);
        }
    }

    [TestCase("load")]
    [TestCase("unload")]
    public async Task LoadOrUnload_UnknownModel_Returns400ListingTheAvailableModels(string action)
    {
        using var response = await _admin.PostAsync($"/admin/models/gpt-17/{action}", null);

        var problem = await response.ExpectBadRequestAsync("name");
        Assert.That(problem.GetProperty("available").EnumerateArray().Select(m => m.GetString()), Does.Contain(WorkerProcess.Stories).And.Contain("llama2"));
    }

    [TestCase("disable")]
    [TestCase("enable")]
    public async Task DisableOrEnable_UnknownUser_Returns404(string action)
    {
        using var response = await _admin.PostAsync($"/admin/users/{Guid.NewGuid()}/{action}", null);

        await response.ExpectProblemAsync(HttpStatusCode.NotFound);
    }

    [TestCase("disable", "admin")]
    [TestCase("disable", "not-a-uuid")]
    [TestCase("enable", "3f2504e04f8941d39a0c0305e82c3301")]
    public async Task DisableOrEnable_IdThatIsNotAUuid_Returns400NamingId(string action, string id)
    {
        using var response = await _admin.PostAsync($"/admin/users/{id}/{action}", null);

        await response.ExpectBadRequestAsync("id");
    }

    private async Task WaitForLoadedAsync(string model, bool loaded)
    {
        await Wait.UntilAsync(
            async () =>
            {
                var models = await _admin.GetAsync("/llm/models").ExpectJsonAsync(HttpStatusCode.OK);
                var entry = models.GetProperty("models").EnumerateArray().Single(m => m.GetProperty("name").GetString() == model);
                return entry.GetProperty("loaded_on").GetArrayLength() > 0 == loaded;
            },
            TimeSpan.FromSeconds(30),
            $"{model} to be {(loaded ? "loaded" : "unloaded")}");
    }
}
