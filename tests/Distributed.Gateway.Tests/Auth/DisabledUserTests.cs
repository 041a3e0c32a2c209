using System.Net;

namespace Distributed.Gateway.Tests.Auth;

/// <summary>An admin disabling a user stops the user's tokens and keys at once; enabling them again restores both.</summary>
[TestFixture]
public sealed class DisabledUserTests
{
    private SharedEnvironment _env = null!;
    private HttpClient _admin = null!;

    [OneTimeSetUp]
    public async Task SetUpAsync()
    {
        _env = await SharedEnvironment.GetAsync();
        _admin = _env.Gateway.CreateClient(TestKeys.Admin);
    }

    [OneTimeTearDown]
    public void TearDown() => _admin.Dispose();

    [Test]
    public async Task DisableUser_TokenAndKeysStopAtOnce_EnableRestoresThem()
    {
        var (user, bearer, token) = await _env.Gateway.NewUserClientAsync("disabled");
        using var owned = bearer;
        var session = await bearer.CreateSessionAsync();
        var key = (await bearer.CreateKeyAsync("laptop")).GetProperty("key").GetString()!;
        using var keyed = _env.Gateway.CreateClient(key);
        await keyed.GetSessionAsync(session);

        var disabled = await _admin.PostAsync($"/admin/users/{user.Id}/disable", null).ExpectJsonAsync(HttpStatusCode.OK);

        Assert.That(disabled.GetProperty("disabled").GetBoolean(), Is.True);
        foreach (var client in new[] { bearer, keyed })
        {
            using var sessions = await client.GetAsync("/llm/sessions");
            await sessions.ExpectProblemAsync(HttpStatusCode.Unauthorized);
            using var one = await client.GetAsync($"/llm/sessions/{session}");
            await one.ExpectProblemAsync(HttpStatusCode.Unauthorized);
            using var keys = await client.PostJsonAsync("/auth/keys", new { name = "another" });
            await keys.ExpectProblemAsync(HttpStatusCode.Unauthorized);
        }

        // A fresh token cannot be had either, and the answer is the same as for a wrong password.
        using var login = await _env.Gateway.SendLoginAsync(user.Email, user.Password);
        var refused = await login.ExpectProblemAsync(HttpStatusCode.Unauthorized);
        using var wrong = await _env.Gateway.SendLoginAsync(user.Email, "Wrong!Passw0rd");
        var wrongProblem = await wrong.ExpectProblemAsync(HttpStatusCode.Unauthorized);
        Assert.That(refused.GetProperty("detail").GetString(), Is.EqualTo(wrongProblem.GetProperty("detail").GetString()));

        var enabled = await _admin.PostAsync($"/admin/users/{user.Id}/enable", null).ExpectJsonAsync(HttpStatusCode.OK);

        Assert.That(enabled.GetProperty("disabled").GetBoolean(), Is.False);
        Assert.That((await bearer.GetSessionAsync(session)).GetProperty("sessionId").GetGuid(), Is.EqualTo(session), "the old token works again");
        Assert.That((await keyed.GetSessionAsync(session)).GetProperty("sessionId").GetGuid(), Is.EqualTo(session), "the old key works again");
        Assert.That(TestTokens.Read(await _env.Gateway.LoginAsync(user.Email, user.Password)).Subject, Is.EqualTo(user.Id));
        Assert.That(token, Is.Not.Empty);
    }

    [Test]
    public async Task DisableUser_SelfSignedTokenForTheUser_IsRefusedToo()
    {
        // Disabling is checked on every request, not only at login: even a token made with the signing secret fails.
        var user = await _env.Gateway.RegisterAsync();
        await _admin.PostAsync($"/admin/users/{user.Id}/disable", null).ExpectJsonAsync(HttpStatusCode.OK);
        using var client = _env.Gateway.CreateBearerClient(TestTokens.Sign(user.Id));

        using var response = await client.GetAsync("/llm/sessions");

        await response.ExpectProblemAsync(HttpStatusCode.Unauthorized);
    }

    [Test]
    public async Task DisableUser_OtherUsers_AreUnaffected()
    {
        var (target, targetClient, _) = await _env.Gateway.NewUserClientAsync("target");
        var (_, bystander, _) = await _env.Gateway.NewUserClientAsync("bystander");
        using var a = targetClient;
        using var b = bystander;

        await _admin.PostAsync($"/admin/users/{target.Id}/disable", null).ExpectJsonAsync(HttpStatusCode.OK);

        using var refused = await targetClient.GetAsync("/llm/sessions");
        await refused.ExpectProblemAsync(HttpStatusCode.Unauthorized);
        using var served = await bystander.GetAsync("/llm/sessions");
        await served.ExpectStatusAsync(HttpStatusCode.OK);
    }

    [Test]
    public async Task DisableUser_ListedAsDisabled_AndDisablingTwiceIsHarmless()
    {
        var user = await _env.Gateway.RegisterAsync();

        await _admin.PostAsync($"/admin/users/{user.Id}/disable", null).ExpectJsonAsync(HttpStatusCode.OK);
        var again = await _admin.PostAsync($"/admin/users/{user.Id}/disable", null).ExpectJsonAsync(HttpStatusCode.OK);

        var users = await _admin.GetAsync("/admin/users").ExpectJsonAsync(HttpStatusCode.OK);
        var listed = users.EnumerateArray().Single(u => u.GetProperty("id").GetString() == user.Id);
        Assert.Multiple(() =>
        {
            Assert.That(again.GetProperty("disabled").GetBoolean(), Is.True);
            Assert.That(listed.GetProperty("disabled").GetBoolean(), Is.True);
        });
    }
}
