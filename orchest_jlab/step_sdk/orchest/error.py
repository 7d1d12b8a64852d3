"""Errors of the Orchest SDK: the same classes (names and hierarchy) as Orchest's ``orchest.error``,
so that code catching them keeps working, plus :class:`ParameterNotFoundError`."""


class Error(Exception):
    """Base class of every error the SDK raises on purpose."""


class PipelineDefinitionNotFoundError(Error):
    """The pipeline definition (the ``.orchest`` file) cannot be found or read."""


class SerializationError(Error):
    """An object cannot be serialized (it cannot be pickled, or is not what the requested
    serialization takes)."""


class DeserializationError(Error):
    """A step's output exists but cannot be deserialized."""


class ObjectNotFoundError(Error):
    """An object cannot be found in the in-memory store (kept for compatibility: there is no
    separate in-memory store here)."""


class OutputNotFoundError(Error):
    """The output of an incoming step cannot be found."""


class DiskOutputNotFoundError(OutputNotFoundError):
    """OutputNotFoundError for disk specifically (every output is on disk here)."""


class MemoryOutputNotFoundError(OutputNotFoundError):
    """OutputNotFoundError for memory specifically (kept for compatibility)."""


class OrchestNetworkError(Error):
    """A resource fails to respond or is unable to fulfil the request."""


class StepUUIDResolveError(Error):
    """The step that the running code belongs to cannot be determined."""


class InputNameCollisionError(Error):
    """Several incoming steps output data under the same name."""


class DataInvalidNameError(Error):
    """The name given to output data is invalid (e.g. the reserved ``"unnamed"``)."""


class ServiceNotFound(Error):
    """A service could not be found by name."""


class InvalidMetaDataError(Error):
    """The metadata of a step's output is invalid."""

    helper_message = (
        "The output may have been written by an incompatible version of the SDK: rerun the steps "
        "that produced it."
    )

    def __init__(self, msg="", *args, **kwargs):
        msg = " ".join([msg, self.helper_message]) if msg else self.helper_message
        super().__init__(msg, *args, **kwargs)


class UnrecognizedSessionType(Error):
    """A session type other than interactive or noninteractive."""


class SessionNotFound(Error):
    """A session could not be found."""


class ParameterNotFoundError(Error, LookupError):
    """A step or pipeline parameter that is not defined was asked for without a default
    (not in Orchest, whose getters returned ``None``)."""
