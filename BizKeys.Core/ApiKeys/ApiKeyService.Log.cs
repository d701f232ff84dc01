using Microsoft.Extensions.Logging;

namespace BizKeys.Core.ApiKeys;

/// <summary>What the key lifecycle writes to the application log: each change, with its actor, never a secret.</summary>
public sealed partial class ApiKeyService
{
    [LoggerMessage(LogLevel.Information, "API key {Key} created in account {AccountId} by {Actor}")]
    private partial void LogCreated(string key, Guid accountId, string actor);

    [LoggerMessage(LogLevel.Information, "API key {Key} updated by {Actor}")]
    private partial void LogUpdated(string key, string actor);

    [LoggerMessage(LogLevel.Information, "API key {Key} rotated with {GraceMinutes} minutes of grace by {Actor}")]
    private partial void LogRotated(string key, int graceMinutes, string actor);

    [LoggerMessage(LogLevel.Information, "API key {Key}: old secret ended early by {Actor}")]
    private partial void LogRotationEnded(string key, string actor);

    [LoggerMessage(LogLevel.Information, "API key {Key} revoked by {Actor}")]
    private partial void LogRevoked(string key, string actor);
}
