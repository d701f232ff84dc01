namespace BizKeys.Core;

/// <summary>
/// Work claimed by one instance until a time (a webhook delivery, a mail). The claim is recognised later by comparing
/// that time with the stored one, so it is made in the precision every engine stores: whole microseconds
/// (PostgreSQL's timestamps drop the last digit of .NET's ticks, and the claim would never match again).
/// </summary>
public static class Claims
{
    public static DateTime Until(DateTime now, TimeSpan span)
    {
        var until = now + span;
        return new DateTime(until.Ticks - until.Ticks % (TimeSpan.TicksPerMillisecond / 1000), until.Kind);
    }
}
