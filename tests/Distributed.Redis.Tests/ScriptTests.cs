namespace Distributed.Redis.Tests;

public sealed class ScriptTests : RedisTestBase
{
    private static readonly RedisScript IncrementBy = new(
        "local v = redis.call('INCRBY', KEYS[1], ARGV[1]) return {v, ARGV[2]}");

    [Test]
    public async Task Sha1_MatchesScriptLoad()
    {
        var loaded = await Redis.ExecuteAsync("SCRIPT", "LOAD", IncrementBy.Text);

        Assert.That(IncrementBy.Sha1, Is.EqualTo(loaded.AsString()));
    }

    [Test]
    public async Task EvalAsync_ScriptNotCached_FallsBackToEvalAndCachesIt()
    {
        await Redis.ExecuteAsync("SCRIPT", "FLUSH");
        Assert.That(
            async () => await Redis.ExecuteAsync("EVALSHA", IncrementBy.Sha1, 0),
            Throws.InstanceOf<RedisServerException>().With.Property("Prefix").EqualTo("NOSCRIPT"));

        var reply = await Redis.EvalAsync(IncrementBy, [Key("n")], [5, "tag"]);

        Assert.That(reply.Items[0].AsInt64(), Is.EqualTo(5));
        Assert.That(reply.Items[1].AsString(), Is.EqualTo("tag"));
        var exists = await Redis.ExecuteAsync("SCRIPT", "EXISTS", IncrementBy.Sha1);
        Assert.That(exists.Items[0].AsInt64(), Is.EqualTo(1));
    }

    [Test]
    public async Task EvalAsync_ScriptCached_UsesEvalSha()
    {
        await Redis.ExecuteAsync("SCRIPT", "LOAD", IncrementBy.Text);

        var first = await Redis.EvalAsync(IncrementBy, [Key("n")], [2, "a"]);
        var second = await Redis.EvalAsync(IncrementBy, [Key("n")], [3, "b"]);

        Assert.That(first.Items[0].AsInt64(), Is.EqualTo(2));
        Assert.That(second.Items[0].AsInt64(), Is.EqualTo(5));
    }

    [Test]
    public async Task EvalAsync_ScriptRaisesError_ThrowsRedisServerException()
    {
        var failing = new RedisScript("return redis.error_reply('MYERR custom failure')");

        Assert.That(
            async () => await Redis.EvalAsync(failing),
            Throws.InstanceOf<RedisServerException>().With.Property("Prefix").EqualTo("MYERR"));
    }
}
