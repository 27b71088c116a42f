namespace V2V.Host.Study;

/// <summary>A study that cannot go on (a run or a training failed, a run did not verify): one line, exit 1.</summary>
internal sealed class StudyFailedException(string message) : Exception(message);
