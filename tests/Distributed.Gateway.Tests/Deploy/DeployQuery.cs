namespace Distributed.Gateway.Tests.Deploy;

/// <summary>One PromQL expression shipped in deploy/, and where it is (for failure messages).</summary>
public sealed record DeployQuery(string Source, string Expr);
