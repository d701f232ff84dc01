namespace BizKeys.Core;

public static class Text
{
    /// <summary>At most <paramref name="max"/> characters, an ellipsis marking a cut (for columns of a fixed length).</summary>
    public static string Truncate(string text, int max) => text.Length <= max ? text : text[..(max - 1)] + "…";
}
