using FsCheck;
using FsCheck.Xunit;
using PermitTracker.Domain.Jobs;

namespace PermitTracker.Domain.Tests.Jobs;

public sealed class ActorTests
{
    [Theory]
    [InlineData("dob.clerk", "dob.clerk")]
    [InlineData("  import:nyc-dob \t", "import:nyc-dob")]
    public void An_actor_is_kept_trimmed(string text, string kept)
    {
        Assert.True(Actor.TryCreate(text, out var actor, out _));
        Assert.Equal(kept, actor.Value);
        Assert.Equal(kept, actor.ToString());
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("  ")]
    public void Every_move_needs_an_actor(string? text)
    {
        Assert.False(Actor.TryCreate(text, out var actor, out var error));
        Assert.Null(actor);
        Assert.Equal("actor is required (up to 200 characters).", error);
    }

    [Fact]
    public void Two_hundred_characters_is_an_actor_and_two_hundred_and_one_is_not()
    {
        Assert.True(Actor.TryCreate(new string('a', 200), out _, out _));
        Assert.False(Actor.TryCreate(new string('a', 201), out _, out var error));
        Assert.Equal(Actor.RuleMessage, error);
        // Counted as given, as the API and the importer counted before the type: padding does not buy length.
        Assert.False(Actor.TryCreate(" " + new string('a', 200), out _, out _));
    }

    [Property]
    public void A_valid_actor_reads_back_as_itself(NonEmptyString text)
    {
        if (!Actor.TryCreate(text.Get, out var actor, out _)) return;
        Assert.True(Actor.TryCreate(actor.Value, out var again, out _));
        Assert.Equal(actor, again);
    }
}

public sealed class NoteTests
{
    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData(" \r\n ")]
    public void Empty_or_blank_text_is_no_note(string? text)
    {
        Assert.True(Note.TryCreate(text, out var note, out var error));
        Assert.Null(note);
        Assert.Equal("", error);
    }

    [Fact]
    public void A_note_is_kept_as_given()
    {
        Assert.True(Note.TryCreate(" line one\nline two ", out var note, out _));
        Assert.Equal(" line one\nline two ", note!.Value);
        Assert.Equal(note.Value, note.ToString());
    }

    [Fact]
    public void Four_thousand_characters_is_a_note_and_four_thousand_and_one_is_not()
    {
        Assert.True(Note.TryCreate(new string('n', 4000), out var note, out _));
        Assert.Equal(4000, note!.Value.Length);
        Assert.False(Note.TryCreate(new string('n', 4001), out note, out var error));
        Assert.Null(note);
        Assert.Equal("note is longer than 4000 characters.", error);
    }
}
