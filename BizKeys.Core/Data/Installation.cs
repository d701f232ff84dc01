using System.Security.Cryptography;

namespace BizKeys.Core.Data;

/// <summary>
/// One row per database, written once at the first start: what every instance and command of this installation
/// must share. Its tag key signs key identifiers (<see cref="ApiKeys.KeyIdentifiers"/>); it protects no secret.
/// It also records that first-run setup happened.
/// </summary>
public sealed class Installation
{
    public const int SingletonId = 1;
    public const int TagKeyLength = 32;

    private Installation()
    {
    }

    public int Id { get; private set; }
    public byte[] KeyIdTagKey { get; private set; } = [];
    public DateTime CreatedAt { get; private set; }
    /// <summary>Set, once, by whichever first-owner request wins: setup is one atomic step on any number of instances.</summary>
    public DateTime? SetupCompletedAt { get; private set; }

    public static Installation Create(DateTime now) => new()
    {
        Id = SingletonId,
        KeyIdTagKey = RandomNumberGenerator.GetBytes(TagKeyLength),
        CreatedAt = now,
    };
}
